"""The stool is never given back: after two meals nobody else can sit."""


class Diner:
    def run(self, me):
        while me.running():
            me.step("queue")
            self.stools.acquire()
            with me.critical("stool"):
                me.step("eat")

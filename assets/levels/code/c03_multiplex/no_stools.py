"""Nobody counts the stools: a third diner sits at a full counter."""


class Diner:
    def run(self, me):
        while me.running():
            me.step("queue")
            with me.critical("stool"):
                me.step("eat")

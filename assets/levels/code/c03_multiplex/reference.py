"""Multiplex: take a stool before sitting, give it back after leaving."""


class Diner:
    def run(self, me):
        while me.running():
            me.step("queue")
            with self.stools, me.critical("stool"):
                me.step("eat")

"""Multiplex: a counter with 2 stools and more diners than that.

Handed: self.stools, a Semaphore that starts at 2.
Never more than 2 diners inside me.critical("stool") at once.
"""


class Diner:
    def run(self, me):
        while me.running():
            me.step("queue")
            with me.critical("stool"):
                me.step("eat")

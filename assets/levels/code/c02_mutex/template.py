"""Mutex: every waiter adds its orders to one shared tally.

Handed: self.mutex (a Lock) and self.tally (a shared counter: self.tally.value).
Only one waiter may be inside me.critical("tally") at a time.
"""


class Waiter:
    def run(self, me):
        while me.running():
            me.step("take an order")
            with me.critical("tally"):
                self.tally.value = self.tally.value + 1

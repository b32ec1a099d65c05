"""Acquired but never released: the next waiter (or the same one, next round) waits forever."""


class Waiter:
    def run(self, me):
        while me.running():
            me.step("take an order")
            self.mutex.acquire()
            with me.critical("tally"):
                self.tally.value = self.tally.value + 1

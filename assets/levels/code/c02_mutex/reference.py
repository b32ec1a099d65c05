"""Mutex: the lock around the critical section."""


class Waiter:
    def run(self, me):
        while me.running():
            me.step("take an order")
            with self.mutex, me.critical("tally"):
                self.tally.value = self.tally.value + 1

"""Passes, but polls the lock in a loop instead of waiting on it (no second star)."""


class Waiter:
    def run(self, me):
        while me.running():
            me.step("take an order")
            while not self.mutex.acquire(blocking=False):
                me.pace(1)
            with me.critical("tally"):
                self.tally.value = self.tally.value + 1
            self.mutex.release()

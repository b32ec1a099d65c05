"""No lock: two waiters inside the tally at once."""


class Waiter:
    def run(self, me):
        while me.running():
            me.step("take an order")
            with me.critical("tally"):
                self.tally.value = self.tally.value + 1

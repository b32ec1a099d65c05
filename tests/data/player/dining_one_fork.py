"""Eats holding only the left fork: the right one is shared with a neighbour who may hold it."""


class Philosopher:
    def run(self, me):
        right = (self.seat + 1) % self.n
        while me.running():
            with self.left, me.critical(f"fork {self.seat}"), me.critical(f"fork {right}"):
                me.step("eat")

"""Dining with a resource hierarchy: the last philosopher picks up the right fork first."""


class Philosopher:
    def run(self, me):
        mine = f"fork {self.seat}"
        theirs = f"fork {(self.seat + 1) % self.n}"
        first, second = self.left, self.right
        if self.seat == self.n - 1:
            first, second = second, first
        while me.running():
            me.step("hungry")
            with first, second, me.critical(mine), me.critical(theirs):
                me.step("eat")

"""Dining with a resource hierarchy: the lower-numbered fork first."""


class Philosopher:
    def run(self, me):
        first, second = self.left, self.right
        if self.seat == self.n - 1:
            first, second = second, first
        while me.running():
            me.step("hungry")
            with first:
                me.step("take second fork")
                with second:
                    me.step("eat")

"""Only the left fork: two neighbours eat with the same fork."""


class Philosopher:
    def run(self, me):
        mine = f"fork {self.seat}"
        theirs = f"fork {(self.seat + 1) % self.n}"
        while me.running():
            me.step("hungry")
            with self.left, me.critical(mine), me.critical(theirs):
                me.step("eat")

"""Dining philosophers: five philosophers, five forks, two forks to eat.

Handed: self.left and self.right (the forks beside you, Locks), self.seat (0..n-1), self.n.
Eat only inside both forks' critical sections (already written below); never deadlock.
"""


class Philosopher:
    def run(self, me):
        mine = f"fork {self.seat}"
        theirs = f"fork {(self.seat + 1) % self.n}"
        while me.running():
            me.step("hungry")
            # pick up your forks here
            with me.critical(mine), me.critical(theirs):
                me.step("eat")

"""Everyone left fork first: when all hold a left fork, nobody gets a right one."""


class Philosopher:
    def run(self, me):
        mine = f"fork {self.seat}"
        theirs = f"fork {(self.seat + 1) % self.n}"
        while me.running():
            me.step("hungry")
            with self.left:
                me.step("reach right")
                with self.right, me.critical(mine), me.critical(theirs):
                    me.step("eat")

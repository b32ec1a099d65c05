"""The second fork with a timeout, then put the first back and try again: correct, but it polls."""


class Philosopher:
    def run(self, me):
        mine = f"fork {self.seat}"
        theirs = f"fork {(self.seat + 1) % self.n}"
        while me.running():
            me.step("hungry")
            while True:
                with self.left:
                    if self.right.acquire(timeout=0.01):
                        with me.critical(mine), me.critical(theirs):
                            me.step("eat")
                        self.right.release()
                        break
                me.pace(1)

"""The second fork with a timeout; if it does not come, put the first back and try again."""


class Philosopher:
    def run(self, me):
        while me.running():
            while True:
                with self.left:
                    if self.right.acquire(timeout=0.01):
                        try:
                            me.step("eat")
                        finally:
                            self.right.release()
                        break
                me.pace(1)

import time


class Philosopher:
    def run(self, me):
        with self.left:
            time.sleep(60)

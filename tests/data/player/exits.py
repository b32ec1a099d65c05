import os


class Philosopher:
    def run(self, me):
        with self.left:
            os._exit(3)

class Philosopher:
    def run(self, me):
        with self.left:
            raise ValueError("no fork for me")

class Philosopher:
    def run(self, me):
        while True:
            pass

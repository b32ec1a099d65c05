"""The classic bounded buffer: empty, then the mutex; full, then the mutex."""


class Producer:
    def run(self, me):
        while me.running():
            self.empty.acquire()
            with self.mutex:
                self.shelf.put(me.name)
            self.full.release()


class Consumer:
    def run(self, me):
        while me.running():
            self.full.acquire()
            with self.mutex:
                self.shelf.take()
            self.empty.release()

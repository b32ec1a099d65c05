"""The mutex taken before waiting for an empty slot: deadlocks when the pass is full."""


class Producer:
    def run(self, me):
        while me.running():
            with self.mutex:
                self.empty.acquire()
                self.shelf.put(me.name)
            self.full.release()


class Consumer:
    def run(self, me):
        while me.running():
            self.full.acquire()
            with self.mutex:
                self.shelf.take()
            self.empty.release()

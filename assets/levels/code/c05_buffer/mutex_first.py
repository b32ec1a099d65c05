"""The mutex taken before waiting for an empty slot: a producer sleeps holding it on a full pass."""


class Consumer:
    def run(self, me):
        while me.running():
            self.full.acquire()
            with self.mutex:
                self.shelf.take()
            self.empty.release()


class Producer:
    def run(self, me):
        while me.running():
            with self.mutex:
                self.empty.acquire()
                self.shelf.put(me.name)
            self.full.release()

"""No mutex around the pass: fine with one producer, two can put in the same slot."""


class Producer:
    def run(self, me):
        while me.running():
            self.empty.acquire()
            self.shelf.put(me.name)
            self.full.release()


class Consumer:
    def run(self, me):
        while me.running():
            self.full.acquire()
            self.shelf.take()
            self.empty.release()

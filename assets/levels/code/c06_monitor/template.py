"""A monitor: producers and consumers share a pass of 1 slot.

Handed: self.lock (Lock), self.not_full and self.not_empty (Conditions on self.lock),
self.shelf (the pass: put, take, count, slots). Every item put is taken exactly once.
"""


class Producer:
    def run(self, me):
        while me.running():
            with self.lock:
                # wait while the pass is full
                self.shelf.put(me.name)
                # tell a consumer


class Consumer:
    def run(self, me):
        while me.running():
            with self.lock:
                # wait while the pass is empty
                self.shelf.take()
                # tell a producer

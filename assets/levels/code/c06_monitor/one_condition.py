"""One Condition for both "not full" and "not empty", with notify(): a wake-up can reach the wrong side."""


class Producer:
    def run(self, me):
        while me.running():
            with self.lock:
                while self.shelf.count == self.shelf.slots:
                    self.not_empty.wait()
                self.shelf.put(me.name)
                self.not_empty.notify()


class Consumer:
    def run(self, me):
        while me.running():
            with self.lock:
                while self.shelf.count == 0:
                    self.not_empty.wait()
                self.shelf.take()
                self.not_empty.notify()

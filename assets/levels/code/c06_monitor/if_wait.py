"""`if` instead of `while` around Condition.wait: a woken agent does not look again."""


class Producer:
    def run(self, me):
        while me.running():
            with self.lock:
                if self.shelf.count == self.shelf.slots:
                    self.not_full.wait()
                self.shelf.put(me.name)
                self.not_empty.notify()


class Consumer:
    def run(self, me):
        while me.running():
            with self.lock:
                if self.shelf.count == 0:
                    self.not_empty.wait()
                self.shelf.take()
                self.not_full.notify()

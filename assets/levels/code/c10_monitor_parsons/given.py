"""The monitor's producers (given): wait while the pass is full, put, wake a consumer."""


class Producer:
    def run(self, me):
        while me.running():
            with self.lock:
                while self.shelf.count == self.shelf.slots:
                    self.not_full.wait()
                self.shelf.put(me.name)
                self.not_empty.notify()

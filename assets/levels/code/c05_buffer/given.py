"""The bounded buffer's consumers (given): wait for a full slot, take the item under the mutex, free a slot."""


class Consumer:
    def run(self, me):
        while me.running():
            self.full.acquire()
            with self.mutex:
                self.shelf.take()
            self.empty.release()

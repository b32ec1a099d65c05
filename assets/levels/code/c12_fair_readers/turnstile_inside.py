"""Readers pass the turnstile while holding the mutex: a waiting writer holds the turnstile, a reader
waits on it with the mutex, and the reader inside cannot get out."""


class Reader:
    def run(self, me):
        while me.running():
            with self.mutex:
                self.turnstile.acquire()
                self.turnstile.release()
                self.readers.value = self.readers.value + 1
                if self.readers.value == 1:
                    self.room_empty.acquire()
            with me.critical("read"):
                me.step("read")
            with self.mutex:
                self.readers.value = self.readers.value - 1
                if self.readers.value == 0:
                    self.room_empty.release()


class Writer:
    def run(self, me):
        while me.running():
            self.turnstile.acquire()
            self.room_empty.acquire()
            with me.critical("write"):
                me.step("write")
            self.turnstile.release()
            self.room_empty.release()

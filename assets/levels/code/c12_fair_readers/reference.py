"""The lightswitch behind a turnstile: a waiting writer holds the turnstile, so no new reader gets in."""


class Reader:
    def run(self, me):
        while me.running():
            self.turnstile.acquire()
            self.turnstile.release()
            with self.mutex:
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

"""The lightswitch: the first reader in locks the room for readers, the last one out unlocks it."""


class Reader:
    def run(self, me):
        while me.running():
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
            with self.room_empty, me.critical("write"):
                me.step("write")

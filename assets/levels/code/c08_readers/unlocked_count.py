"""The readers' count without the mutex: two readers race on it and the room is never unlocked."""


class Reader:
    def run(self, me):
        while me.running():
            self.readers.value = self.readers.value + 1
            if self.readers.value == 1:
                self.room_empty.acquire()
            with me.critical("read"):
                me.step("read")
            self.readers.value = self.readers.value - 1
            if self.readers.value == 0:
                self.room_empty.release()


class Writer:
    def run(self, me):
        while me.running():
            with self.room_empty, me.critical("write"):
                me.step("write")

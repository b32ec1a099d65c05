"""Every reader takes room_empty (no lightswitch), inside the mutex: the second reader blocks the first's exit."""


class Reader:
    def run(self, me):
        while me.running():
            with self.mutex:
                self.readers.value = self.readers.value + 1
                self.room_empty.acquire()
            with me.critical("read"):
                me.step("read")
            with self.mutex:
                self.readers.value = self.readers.value - 1
                self.room_empty.release()


class Writer:
    def run(self, me):
        while me.running():
            with self.room_empty, me.critical("write"):
                me.step("write")

"""Readers and writers: readers may read the menu together; a writer changes it alone.

Handed to everyone: self.mutex (Lock), self.room_empty (Semaphore at 1), self.readers (a shared
counter, self.readers.value, starts at 0). Nobody reads while a writer writes.
"""


class Reader:
    def run(self, me):
        while me.running():
            with me.critical("read"):
                me.step("read")


class Writer:
    def run(self, me):
        while me.running():
            with me.critical("write"):
                me.step("write")

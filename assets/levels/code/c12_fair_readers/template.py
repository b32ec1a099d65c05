"""Readers and writers, and this time the writer must not starve.

Handed to everyone: self.mutex (Lock), self.room_empty (Semaphore at 1), self.turnstile
(Semaphore at 1), self.readers (a shared counter, self.readers.value, starts at 0).
Nobody reads while a writer writes; while a writer waits, no reader may read twice.
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

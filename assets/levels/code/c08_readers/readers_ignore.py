"""Only writers use room_empty: a reader reads while a writer writes."""


class Reader:
    def run(self, me):
        while me.running():
            with me.critical("read"):
                me.step("read")


class Writer:
    def run(self, me):
        while me.running():
            with self.room_empty, me.critical("write"):
                me.step("write")

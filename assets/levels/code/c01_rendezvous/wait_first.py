"""Both cooks wait before they signal: each waits for the other forever."""


class Cook:
    def run(self, me):
        while me.running():
            me.step("prepare")
            self.other.acquire()
            self.mine.release()
            me.step("plate")

"""Rendezvous: signal your own arrival first, then wait for the other's."""


class Cook:
    def run(self, me):
        while me.running():
            me.step("prepare")
            self.mine.release()
            self.other.acquire()
            me.step("plate")

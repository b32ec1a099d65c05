"""Signals but never waits: a cook may plate before the other has prepared."""


class Cook:
    def run(self, me):
        while me.running():
            me.step("prepare")
            self.mine.release()
            me.step("plate")

"""Busy-waits for a count that nobody raises: agents keep moving, nobody gets anywhere."""


class Worker:
    def run(self, me):
        while me.running():
            me.step("rendezvous")
            while self.count.value < self.n:
                me.step("spin")
            me.step("critical point")

"""Busy-waits while holding the mutex: whoever gets it first shuts the others out."""


class Worker:
    def run(self, me):
        while me.running():
            me.step("rendezvous")
            with self.mutex:
                self.count.value = self.count.value + 1
                while self.count.value < self.n:
                    me.step("spin")
            me.step("critical point")

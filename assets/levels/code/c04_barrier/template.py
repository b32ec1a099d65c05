"""Reusable barrier: nobody passes "critical point" round k before everyone reached "rendezvous" round k.

Handed to every worker: self.mutex (Lock), self.turnstile (Semaphore at 0), self.turnstile2
(Semaphore at 1), self.count (a shared counter, self.count.value, starts at 0), self.n (workers).
"""


class Worker:
    def run(self, me):
        while me.running():
            me.step("rendezvous")
            # wait here until all self.n workers have arrived
            me.step("critical point")
            # and make sure nobody laps the others into the next round

"""Rendezvous: two cooks each prepare, then meet before either plates.

Each cook is handed self.mine (its own arrival, a Semaphore at 0) and self.other (the other
cook's arrival, a Semaphore at 0). Rule: nobody plates round k before both cooks prepared round k.
"""


class Cook:
    def run(self, me):
        while me.running():
            me.step("prepare")
            # say you have arrived, then wait for the other cook
            me.step("plate")

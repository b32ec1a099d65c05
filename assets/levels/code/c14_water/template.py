"""Building H2O: two oxygen and four hydrogen atoms, each bonds once.

Handed to everyone: self.mutex (Semaphore at 1: whoever closes a molecule may open it again),
self.oxygen and self.hydrogen (shared counters, .value, start at 0), self.oxy_queue and
self.hydro_queue (Semaphores at 0), self.barrier (a Barrier of 3: self.barrier.wait()).
Every three me.step("bond") in a row must be one molecule: two hydrogens and one oxygen.
"""


class Oxygen:
    def run(self, me):
        while me.running():
            me.step("bond")


class Hydrogen:
    def run(self, me):
        while me.running():
            me.step("bond")

"""No mutex: two savages find the pot empty and both wake the cook, or take the same last serving."""


class Savage:
    def run(self, me):
        while me.running():
            if self.pot.count == 0:
                self.empty_pot.release()
                self.full_pot.acquire()
            self.pot.take()
            me.step("eat")


class Cook:
    def run(self, me):
        while me.running():
            self.empty_pot.acquire()
            for _ in range(self.pot.slots):
                self.pot.put("stew")
            self.full_pot.release()

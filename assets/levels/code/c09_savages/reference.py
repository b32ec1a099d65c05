"""Dining savages (LBoS 5.1): the savage who finds the pot empty wakes the cook, holding the mutex."""


class Savage:
    def run(self, me):
        while me.running():
            with self.mutex:
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

"""Wakes the cook but does not wait for the pot to be filled."""


class Cook:
    def run(self, me):
        while me.running():
            self.empty_pot.acquire()
            for _ in range(self.pot.slots):
                self.pot.put("stew")
            self.full_pot.release()


class Savage:
    def run(self, me):
        while me.running():
            with self.mutex:
                if self.pot.count == 0:
                    self.empty_pot.release()
                self.pot.take()
            me.step("eat")

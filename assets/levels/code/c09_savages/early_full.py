"""The cook says "full" before filling: the savage takes from a pot that is still empty."""


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
            self.full_pot.release()
            for _ in range(self.pot.slots):
                self.pot.put("stew")

"""The cook (given): wait to be woken, fill the pot, then say it is full."""


class Cook:
    def run(self, me):
        while me.running():
            self.empty_pot.acquire()
            for _ in range(self.pot.slots):
                self.pot.put("stew")
            self.full_pot.release()

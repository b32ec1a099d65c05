"""Opens the turnstile one arrival too late: everyone waits on it for ever (a stall)."""


class Worker:
    def run(self, me):
        while me.running():
            me.step("rendezvous")
            with self.mutex:
                self.count.value = self.count.value + 1
                last = self.count.value == self.n + 1
            if last:
                self.turnstile.release()
            self.turnstile.acquire()
            self.turnstile.release()
            me.step("critical point")

"""The Little Book's first barrier (3.6.4): correct once, not reusable."""


class Worker:
    def run(self, me):
        while me.running():
            me.step("rendezvous")
            with self.mutex:
                self.count.value = self.count.value + 1
            if self.count.value == self.n:
                self.turnstile.release()
            self.turnstile.acquire()
            self.turnstile.release()
            me.step("critical point")

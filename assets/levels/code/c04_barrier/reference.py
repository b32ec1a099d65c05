"""The Little Book's reusable barrier (3.7.5): two turnstiles."""


class Worker:
    def run(self, me):
        while me.running():
            me.step("rendezvous")
            with self.mutex:
                self.count.value = self.count.value + 1
                if self.count.value == self.n:
                    self.turnstile2.acquire()
                    self.turnstile.release()
            self.turnstile.acquire()
            self.turnstile.release()
            me.step("critical point")
            with self.mutex:
                self.count.value = self.count.value - 1
                if self.count.value == 0:
                    self.turnstile.acquire()
                    self.turnstile2.release()
            self.turnstile2.acquire()
            self.turnstile2.release()

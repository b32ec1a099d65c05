"""The customer waits to be called before waking the barber: both sleep for ever."""


class Customer:
    def run(self, me):
        while me.running():
            with self.mutex:
                if self.bench.count == self.bench.slots:
                    continue
                self.bench.put(me.name)
            self.barber.acquire()
            self.customer.release()
            with me.critical("chair"):
                me.step("haircut")
            self.customer_done.release()


class Barber:
    def run(self, me):
        while me.running():
            self.customer.acquire()
            with self.mutex:
                self.bench.take()
            self.barber.release()
            me.step("cut")
            self.customer_done.acquire()

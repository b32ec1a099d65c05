"""Customers sit down without looking: the bench overflows."""


class Customer:
    def run(self, me):
        while me.running():
            with self.mutex:
                self.bench.put(me.name)
            self.customer.release()
            self.barber.acquire()
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

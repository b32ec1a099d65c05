"""Sit if there is room (or leave), wake the barber, wait to be called, get up when done."""


class Customer:
    def run(self, me):
        while me.running():
            with self.mutex:
                if self.bench.count == self.bench.slots:
                    continue  # the bench is full: come back another day
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

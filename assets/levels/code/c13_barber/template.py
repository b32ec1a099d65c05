"""The sleeping barber: a bench of 2 seats, one barber's chair.

Handed to everyone: self.mutex (Lock); self.customer, self.barber, self.customer_done
(Semaphores at 0); self.bench (self.bench.put(name) sits down, self.bench.take() calls the
next customer, self.bench.count and self.bench.slots say how full it is).
A customer who finds the bench full leaves for this round. The barber sleeps until a
customer comes, and works until the last customer has gone. One customer in the chair at a time.
"""


class Customer:
    def run(self, me):
        while me.running():
            self.bench.put(me.name)
            with me.critical("chair"):
                me.step("haircut")


class Barber:
    def run(self, me):
        while me.running():
            self.bench.take()
            me.step("cut")

"""Dining savages: three savages share a pot of 3 servings; the cook refills it when it is empty.

Handed to everyone: self.mutex (Lock), self.empty_pot and self.full_pot (Semaphores at 0),
self.pot (take a serving with self.pot.take(), self.pot.count servings left, self.pot.slots = 3).
The pot starts empty. Nobody takes from an empty pot; the cook fills only an empty pot.
"""


class Savage:
    def run(self, me):
        while me.running():
            # if the pot is empty, wake the cook and wait for the full pot
            self.pot.take()
            me.step("eat")


class Cook:
    def run(self, me):
        while me.running():
            # wait until a savage says the pot is empty
            for _ in range(self.pot.slots):
                self.pot.put("stew")
            # tell that savage the pot is full

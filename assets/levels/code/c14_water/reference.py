"""Whoever completes a molecule lets it in; the oxygen opens the door for the next once all three bonded."""


class Oxygen:
    def run(self, me):
        while me.running():
            self.mutex.acquire()
            self.oxygen.value = self.oxygen.value + 1
            if self.hydrogen.value >= 2:
                self.hydro_queue.release()
                self.hydro_queue.release()
                self.hydrogen.value = self.hydrogen.value - 2
                self.oxy_queue.release()
                self.oxygen.value = self.oxygen.value - 1
            else:
                self.mutex.release()
            self.oxy_queue.acquire()
            me.step("bond")
            self.barrier.wait()
            self.mutex.release()


class Hydrogen:
    def run(self, me):
        while me.running():
            self.mutex.acquire()
            self.hydrogen.value = self.hydrogen.value + 1
            if self.hydrogen.value >= 2 and self.oxygen.value >= 1:
                self.hydro_queue.release()
                self.hydro_queue.release()
                self.hydrogen.value = self.hydrogen.value - 2
                self.oxy_queue.release()
                self.oxygen.value = self.oxygen.value - 1
            else:
                self.mutex.release()
            self.hydro_queue.acquire()
            me.step("bond")
            self.barrier.wait()

"""Naive dining: left fork, then right fork (deadlocks when everyone holds a left fork)."""


class Philosopher:
    def run(self, me):
        while me.running():
            me.step("hungry")
            with self.left:
                me.step("take right fork")
                with self.right:
                    me.step("eat")

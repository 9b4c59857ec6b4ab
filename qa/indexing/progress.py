"""Time left for a long step (embedding a paper's texts), from the throughput measured so far.

Pure: the clock is passed in, so tests drive it by hand. The text it makes goes into the stage string
of the ``(stage, fraction)`` progress callbacks the library, the CLI and the page already use, e.g.
``"embedding 340/1,210 texts · 12 s left"``.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def duration_text(seconds: float) -> str:
    """'12 s', '3 min 5 s', '1 h 2 min': a duration as a person reads it (rounded up to whole seconds)."""
    whole = max(0, int(-(-seconds // 1)))
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


class Eta:
    """Estimates the seconds left of ``total`` items from the rate measured since :meth:`start`.

    The rate is items done over seconds elapsed since the clock started (the first call), so one slow
    or fast batch moves the estimate only by its share of the work done so far.
    """

    def __init__(self, total: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.total = max(0, int(total))
        self.clock = clock
        self.started = clock()

    def seconds_left(self, done: int) -> float | None:
        """Seconds until ``total`` at the rate so far; None before anything is done or time passed."""
        elapsed = self.clock() - self.started
        if done <= 0 or elapsed <= 0:
            return None
        return max(0.0, (self.total - done) * elapsed / done)

    def rate(self, done: int) -> float | None:
        """Items per second so far (None before any time has passed)."""
        elapsed = self.clock() - self.started
        return done / elapsed if elapsed > 0 and done > 0 else None

    def text(self, done: int, what: str = "texts", verb: str = "embedding") -> str:
        """``"embedding 340/1,210 texts · 12 s left"`` (no estimate before the first items are done)."""
        head = f"{verb} {done:,}/{self.total:,} {what}"
        left = self.seconds_left(done)
        if left is None or done >= self.total:
            return head
        return f"{head} · {duration_text(left)} left"

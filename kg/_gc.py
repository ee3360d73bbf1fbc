"""Pause Python's cyclic garbage collector while kg builds large acyclic structures.

A graph is millions of dicts and lists that refer to each other without
cycles. Creating them makes CPython run its cyclic collector over and over,
and each full pass walks every object made so far: on a 10k-paper graph that
was half of the time of building it and of loading ``graph.json``. Reference
counting frees these objects as usual; the collector is only needed for
cycles, and it runs again as soon as the block ends, with everything
tracked by then moved to its oldest generation (walked again only by a
full pass).

>>> import gc
>>> with gc_paused():
...     gc.isenabled()
False
>>> gc.isenabled()
True
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["gc_paused"]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic garbage collector inside the block; restore its state after.

    The collector's state is process-wide: other threads run without it during
    the block too, and on exit every object tracked at that moment (not only
    the block's) moves to the oldest generation, so young cyclic garbage of
    the caller waits for the next full pass. kg uses it around whole stages
    (building, loading and writing a graph), not in threads of its own.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_freeze_count() == 0:
                # What the block made is long-lived. Left in the youngest generation, it would be
                # walked by a young, a middle and a full pass in turn (three walks of millions of
                # objects); freeze + unfreeze moves it to the oldest generation without a walk.
                # Skipped when the program froze objects itself: unfreeze would release them too.
                gc.freeze()
                gc.unfreeze()
            gc.enable()

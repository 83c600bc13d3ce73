"""SIGTERM and SIGINT as an exception, so a writing run stops cleanly.

Python's default SIGTERM ends the process without running ``finally``
blocks: workers were left to the kernel and the half-built generation to the
next run. Here both signals raise :class:`Stopped` in the main thread; the
writer's cleanup (kill the workers, discard the generation, drop the lock)
runs as for any failure. Publishing a finished generation is not cut in
half: a signal that arrives then is raised once it is done.
"""

from __future__ import annotations

import contextlib
import signal

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Stopped(BaseException):
    """A stop signal arrived. A BaseException, like KeyboardInterrupt, so
    ``except Exception`` in the middle of a run does not swallow it."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        return 128 + self.signum  # what a shell reports for a death by the signal


_deferring = False
_pending: int | None = None


def _raise(signum, frame):
    global _pending
    if _deferring:
        _pending = signum
        return
    raise Stopped(signum)


@contextlib.contextmanager
def stop_on_signals():
    """Within the block, SIGTERM and SIGINT raise :class:`Stopped`."""
    previous = {signum: signal.signal(signum, _raise) for signum in SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def deferred():
    """Within the block, a stop signal waits until the block is done.
    Only for short steps: ``defnews`` waits for them when told to stop."""
    global _deferring, _pending
    if _deferring:  # nested: the outer block raises
        yield
        return
    _deferring, _pending = True, None
    try:
        yield
    finally:
        _deferring = False
        signum, _pending = _pending, None
        if signum is not None:
            raise Stopped(signum)

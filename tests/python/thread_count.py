"""The process's thread count, for tests that check an engine's worker threads are gone."""
import os
import time


def threads() -> int:
    return len(os.listdir("/proc/self/task"))


def settled_threads(expected: int, wait_s: float = 2.0) -> int:
    """The thread count once it has come back to `expected` (or the last count after wait_s)."""
    deadline = time.monotonic() + wait_s
    while (count := threads()) != expected and time.monotonic() < deadline:
        time.sleep(0.01)
    return count

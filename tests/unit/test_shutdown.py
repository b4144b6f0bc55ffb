"""A graceful stop that never finishes is cut short (agents/worker.bound_shutdown).

Faust's stop waits without limit for every message handed to a stream to be acked;
a worker seen stuck there for hours after SIGTERM is what this bound prevents.
"""

from __future__ import annotations

import subprocess
import sys
import time


def test_a_stop_that_hangs_ends_after_its_grace_period() -> None:
    hung_stop = "from agents.worker import bound_shutdown; import time; bound_shutdown(0.5); time.sleep(60)"
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", hung_stop], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0  # as a finished stop: the group redoes what was not committed
    assert time.monotonic() - start < 20
    assert "graceful stop still not done" in proc.stderr

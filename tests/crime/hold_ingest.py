"""Load police.uk files into a crime store in this process, and hold the load at its last
step (the new store written, about to replace the old one) until told to go on: the "ingest
in progress" that tests/crime/test_readers.py reads beside.

    python -m tests.crime.hold_ingest STORE READY RELEASE FILE...

Touches READY when it is holding, waits (up to a minute) for RELEASE to exist, then finishes
and prints the (force, month)s it loaded as JSON.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from commissioning.crime.store import CrimeStore
from tests.policeuk import tiny_lookup


def main() -> None:
    store, ready, release, *files = sys.argv[1:]

    def hold(stage: str, done: int, total: int) -> None:
        if not stage.startswith("Saving"):
            return
        Path(ready).touch()
        deadline = time.monotonic() + 60
        while not Path(release).exists():
            if time.monotonic() > deadline:
                raise SystemExit("hold_ingest: never released")
            time.sleep(0.02)

    report = CrimeStore(store).ingest(files, tiny_lookup(), on_progress=hold)
    print(json.dumps(report.months))


if __name__ == "__main__":
    main()

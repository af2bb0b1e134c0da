"""Background jobs of needs-based allocation: loading uploaded police.uk files."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from commissioning.core.jobs import JobFailed, job_kind
from commissioning.crime.police_uk import CrimeDataError

from .models import CRIME_INGEST_JOB
from .permissions import RUN


@job_kind(CRIME_INGEST_JOB, rule=RUN)
def crime_ingest_run(
    progress: Callable[[str, int, int], object], *, actor, files: list[dict[str, str]]
) -> str:
    """Load the files `crime_ingest_start` kept, as the officer who uploaded them. A CSV is
    kept under its hash, so it is given to the store under its police.uk name (a link in a
    folder of its own); messages and the store's record name the files as uploaded."""
    # The services here, not at the top: this module is imported as Django starts, to
    # register the kind, and every command would pay for the formula's imports.
    from . import services

    data_dir = Path(settings.DATA_DIR)
    with tempfile.TemporaryDirectory(prefix="crime-upload-") as tmp:
        paths: list[Path] = []
        names: dict[str, str] = {}
        for i, f in enumerate(files):
            stored = data_dir / f["stored"]
            if not stored.is_file():
                raise JobFailed(
                    f"The uploaded file {f['name']} is no longer kept: upload it again."
                )
            if stored.suffix == ".zip":
                path = stored
            else:
                path = Path(tmp) / str(i) / Path(f["name"]).name
                path.parent.mkdir()
                path.symlink_to(stored)
            paths.append(path)
            names[str(path)] = f["name"]
        try:
            report = services.crime_ingest(paths, actor=actor, names=names, on_progress=progress)
        except CrimeDataError as exc:
            raise JobFailed(f"Nothing was loaded: {exc}") from exc
    return report.summary()

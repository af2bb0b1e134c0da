"""Start-up cost of the command line: `commissioning budget --year 2016/17` against a bare
interpreter (`python -c pass`) and against Django set up with the product's settings
(`python -c "import django; django.setup()"`), side by side in one run; and the budget
command once more with `--skip-checks`, to show what Django's system checks cost.

Each command is a fresh process, timed from outside (wall clock around the child; user and
system CPU from the operating system's accounting of the finished child). They run in
turn, A B C D A B C D ..., so a drift in the machine's speed hits all alike; medians and
the ratios of the medians are printed. Then, three times each, `python -X importtime` for
all but the bare interpreter: the sum of the cumulative column over the top-level imports
(what the interpreter spent importing, in milliseconds), the least of the three.

The LLR example is migrated and loaded into a throwaway data directory first (about half a
minute), unless COMMISSIONING_DATA_DIR names one that already holds it. Bytecode is cached
in a temporary directory (PYTHONPYCACHEPREFIX) and warmed by one untimed run of each, as an
installed product has it; --no-bytecode-cache compiles every module on every run instead.

    .venv/bin/python bench/cli_start.py [--runs 10] [--no-bytecode-cache]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _commissioning() -> list[str]:
    script = Path(sys.executable).with_name("commissioning")
    return [str(script)] if script.exists() else [sys.executable, "-m", "commissioning"]


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """One run: (wall seconds, CPU seconds of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # In the data directory: `python -c` imports the product as installed (or as PYTHONPATH
    # says), not whatever the current directory holds.
    result = subprocess.run(
        cmd,
        env=env,
        cwd=env["COMMISSIONING_DATA_DIR"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{result.stderr.decode()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _importtime_ms(cmd: list[str], env: dict[str, str]) -> float:
    """Sum of the cumulative column over top-level imports under -X importtime."""
    totals = []
    for _ in range(3):
        result = subprocess.run(
            cmd,
            env={**env, "PYTHONPROFILEIMPORTTIME": "1"},
            cwd=env["COMMISSIONING_DATA_DIR"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        total = 0
        for line in result.stderr.splitlines():
            m = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\S.*)$", line)
            if m:  # exactly one space after the bar: a top-level import
                total += int(m.group(1))
        totals.append(total)
    return min(totals) / 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--no-bytecode-cache", action="store_true")
    args = parser.parse_args()
    runs = max(1, min(args.runs, 100))

    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "commissioning.config.settings"
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    scratch = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    if args.no_bytecode_cache:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
    cli = _commissioning()
    try:
        if "COMMISSIONING_DATA_DIR" in env:
            env["COMMISSIONING_DATA_DIR"] = str(Path(env["COMMISSIONING_DATA_DIR"]).resolve())
        else:
            env["COMMISSIONING_DATA_DIR"] = str(scratch / "data")
            Path(env["COMMISSIONING_DATA_DIR"]).mkdir()
            print("loading the LLR example into a throwaway database ...", flush=True)
            for step in (["migrate", "-v0"], ["load-example", "llr"]):
                subprocess.run([*cli, *step], env=env, check=True, stdout=subprocess.DEVNULL)

        commands = {
            "commissioning budget --year 2016/17": [*cli, "budget", "--year", "2016/17"],
            # The same without Django's system checks, which import the URL configuration
            # (every view module, and django-ninja for the API): what they cost.
            "... --skip-checks": [*cli, "budget", "--year", "2016/17", "--skip-checks"],
            'python -c "pass"': [sys.executable, "-c", "pass"],
            "python -c django.setup()": [
                sys.executable,
                "-c",
                "import django; django.setup()",
            ],
        }
        for cmd in commands.values():  # warm-up: untimed (and fills the bytecode cache)
            _run(cmd, env)
        walls: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, cmd in commands.items():
                wall, cpu = _run(cmd, env)
                walls[name].append(wall)
                cpus[name].append(cpu)

        budget, _, bare, setup = commands
        bytecode = "compiled every run" if args.no_bytecode_cache else "cached"
        print(f"{runs} runs each, interleaved; bytecode {bytecode}\n")
        print("| command | wall s (median) | min | max | CPU s (median) | importtime ms |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, cmd in commands.items():
            imp = "" if name == bare else f"{_importtime_ms(cmd, env):,.0f}"
            w = walls[name]
            print(
                f"| {name} | {statistics.median(w):.3f} | {min(w):.3f} | {max(w):.3f}"
                f" | {statistics.median(cpus[name]):.3f} | {imp} |"
            )
        b = statistics.median(walls[budget])
        print()
        print(f"budget / bare interpreter:  {b / statistics.median(walls[bare]):.1f}×")
        print(f"budget / django.setup():    {b / statistics.median(walls[setup]):.2f}×")
        print(
            f"system checks' share:       {1 - statistics.median(walls['... --skip-checks']) / b:.0%}"
        )
        print(f"budget under 0.5 s:         {'yes' if b < 0.5 else 'no'} ({b:.3f} s)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

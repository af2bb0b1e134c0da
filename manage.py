#!/usr/bin/env python
"""Django's command-line utility; `commissioning` (see cli.py) is the same with product commands."""

import sys

from commissioning.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv))

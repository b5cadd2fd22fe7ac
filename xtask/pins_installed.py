#!/usr/bin/env python3
"""Exit 0 when every pin of a requirements file is installed in this interpreter's environment.

    VENV/bin/python xtask/pins_installed.py REQUIREMENTS [LABEL]

A pin is a line "name==version" or "name[extras]==version" (a "# comment" and an environment
marker after ";" are ignored; other lines are not pins and are skipped). Exits 1 when a pinned
distribution is missing or at another version, after naming each such pin on stderr as
"LABEL: name HAVE|missing, want VERSION" (LABEL: "pins" unless given). Extras' own dependencies
are trusted to come with the pin.

The one home of this rule: emulator/setup.sh, templates/lint.sh and xtask/src/venv.rs (every
venv `cargo xtask` makes) run it to decide whether pip needs to run at all, so reruns take no
network time.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata

PIN = re.compile(r"([A-Za-z0-9_.-]+)(\[[^\]]*\])?==([^\s;]+)(\s*;.*)?")


def missing_pins(requirements: str) -> list[tuple[str, str | None, str]]:
    """(name, installed version or None, pinned version) of each pin not satisfied."""
    missing = []
    with open(requirements) as lines:
        for line in lines:
            m = PIN.fullmatch(line.split("#", 1)[0].strip())
            if not m:
                continue
            name, pinned = m.group(1), m.group(3)
            try:
                have = metadata.version(name)
            except metadata.PackageNotFoundError:
                have = None
            if have != pinned:
                missing.append((name, have, pinned))
    return missing


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    label = argv[2] if len(argv) == 3 else "pins"
    missing = missing_pins(argv[1])
    for name, have, pinned in missing:
        print(f"{label}: {name} {have or 'missing'}, want {pinned}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

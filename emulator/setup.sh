#!/usr/bin/env bash
# Create/refresh target/venv-emulator and run emulator/server.py with it.
#
#   emulator/setup.sh [server.py arguments]   e.g. --detach, --stop, --port 4566
#   FSX_DRT_EMULATOR_SETUP_ONLY=1 emulator/setup.sh   install only, do not start
#
# pip runs only when a pinned requirement is missing or at another version, so
# reruns cost a fraction of a second. Override the interpreter used to create
# the venv with PYTHON=/path/to/python3 (3.9+).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
venv="${FSX_DRT_EMULATOR_VENV:-$repo/target/venv-emulator}"
requirements="$here/requirements.txt"
python="${PYTHON:-python3}"

if [[ ! -x "$venv/bin/python" ]]; then
    echo "emulator: creating $venv" >&2
    mkdir -p "$(dirname "$venv")"
    "$python" -m venv "$venv"
fi

# Exit 0 when every "name[extras]==version" line of requirements.txt is installed
# at that version (extras' own dependencies are trusted to come with the pin).
pins_satisfied() {
    "$venv/bin/python" - "$requirements" <<'PY'
import re, sys
from importlib import metadata
ok = True
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    m = re.fullmatch(r"([A-Za-z0-9_.-]+)(\[[^\]]*\])?==([^\s;]+)", line)
    if not m:
        continue
    try:
        have = metadata.version(m.group(1))
    except metadata.PackageNotFoundError:
        have = None
    if have != m.group(3):
        print(f"emulator: {m.group(1)} {have or 'missing'}, want {m.group(3)}", file=sys.stderr)
        ok = False
sys.exit(0 if ok else 1)
PY
}

if ! pins_satisfied; then
    echo "emulator: installing $requirements" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
    pins_satisfied
fi

if [[ -n "${FSX_DRT_EMULATOR_SETUP_ONLY:-}" ]]; then
    exit 0
fi
exec "$venv/bin/python" "$here/server.py" "$@"

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

# Exit 0 when every pin of requirements.txt is installed at that version
# (the rule lives in xtask/pins_installed.py; missing pins are named on stderr).
pins_satisfied() {
    "$venv/bin/python" "$repo/xtask/pins_installed.py" "$requirements" emulator
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

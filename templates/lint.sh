#!/usr/bin/env bash
# Lints a CloudFormation template with cfn-lint (errors, warnings, informational
# and experimental rules, all regions) and checkov; exits non-zero on any finding.
# Usage: templates/lint.sh [TEMPLATE]   (default: templates/fsx-drt.yaml)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
template="${1:-$root/templates/fsx-drt.yaml}"
requirements="$root/templates/lint-requirements.txt"
venv="$root/target/venv-lint"

if [[ ! -f "$template" ]]; then
  echo "lint.sh: no template at $template" >&2
  exit 2
fi

if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
fi

# Install only when a pinned version is missing, so reruns take no network time.
if ! "$venv/bin/python" "$root/xtask/pins_installed.py" "$requirements" lint.sh; then
  "$venv/bin/python" -m pip install --disable-pip-version-check --quiet -r "$requirements"
fi

failed=0

echo "cfn-lint $("$venv/bin/cfn-lint" --version | awk '{print $2}'): $template"
if "$venv/bin/cfn-lint" --include-checks I --include-experimental --regions ALL_REGIONS \
  --non-zero-exit-code informational -- "$template"; then
  echo "cfn-lint: no findings"
else
  echo "cfn-lint: findings above" >&2
  failed=1
fi

# --skip-download and no update check: checkov otherwise calls out to the
# Prisma Cloud API and PyPI on every run.
echo "checkov $("$venv/bin/checkov" --version): $template"
status=0
output="$(CKV_SKIP_PACKAGE_UPDATE_CHECK=true "$venv/bin/checkov" --file "$template" \
  --framework cloudformation --skip-download --quiet --compact)" || status=$?
echo "$output"
# checkov exits 0 and prints nothing when it cannot parse a file.
if [[ "$status" -ne 0 ]] || ! grep -q "Failed checks: 0," <<<"$output"; then
  echo "checkov: failed checks, or nothing scanned" >&2
  failed=1
fi

exit "$failed"

#!/usr/bin/env bash
# Regenerates tests/data/cron/quartz_vectors.json from Quartz's reference
# implementation of cron expressions (Debian package libquartz2-java).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
jar=/usr/share/java/quartz2.jar
out="$here/quartz_vectors.json"

if [[ ! -f "$jar" ]]; then
    sudo=()
    if [[ "$(id -u)" -ne 0 ]]; then sudo=(sudo); fi
    echo "installing libquartz2-java ..." >&2
    if ! "${sudo[@]}" apt-get install -y libquartz2-java >&2; then
        "${sudo[@]}" apt-get update >&2
        "${sudo[@]}" apt-get install -y libquartz2-java >&2
    fi
fi
[[ -f "$jar" ]] || { echo "error: $jar not found after installing libquartz2-java" >&2; exit 1; }

command -v java >/dev/null || { echo "error: java not found (Java 11+ required)" >&2; exit 1; }

# org.quartz.CronExpression needs only the Quartz jar (no slf4j).
tmp="$(mktemp "$here/.quartz_vectors.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
(cd "$repo" && java -cp "$jar" tests/data/cron/QuartzVectors.java) > "$tmp"
if command -v python3 >/dev/null; then
    python3 -m json.tool "$tmp" >/dev/null || { echo "error: generated JSON does not parse" >&2; exit 1; }
fi
chmod 644 "$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "wrote $out" >&2

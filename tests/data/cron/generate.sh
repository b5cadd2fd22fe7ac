#!/usr/bin/env bash
# Regenerates tests/data/cron/quartz_vectors.json (QuartzVectors.java: UTC) and
# tests/data/cron/zone_vectors.json (ZoneVectors.java: Quartz on a zone's wall clock,
# the JDK's java.time zone rules for the instants) from Quartz's reference
# implementation of cron expressions (Debian package libquartz2-java).
#   bash tests/data/cron/generate.sh          # both
#   bash tests/data/cron/generate.sh zones    # only zone_vectors.json
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
jar=/usr/share/java/quartz2.jar
which="${1:-all}"
case "$which" in
    all|quartz|zones) ;;
    *) echo "usage: $0 [all|quartz|zones]" >&2; exit 2 ;;
esac

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

# generate CLASS OUT: runs tests/data/cron/CLASS.java into OUT, replacing it only when whole.
# org.quartz.CronExpression needs only the Quartz jar (no slf4j).
generate() {
    local class="$1" out="$here/$2" tmp
    tmp="$(mktemp "$here/.$2.XXXXXX")"
    trap 'rm -f "$tmp"' EXIT
    (cd "$repo" && java -cp "$jar" "tests/data/cron/$class.java") > "$tmp"
    if command -v python3 >/dev/null; then
        python3 -m json.tool "$tmp" >/dev/null || { echo "error: $class: generated JSON does not parse" >&2; exit 1; }
    fi
    chmod 644 "$tmp"
    mv "$tmp" "$out"
    trap - EXIT
    echo "wrote $out" >&2
}

if [[ "$which" != zones ]]; then generate QuartzVectors quartz_vectors.json; fi
if [[ "$which" != quartz ]]; then generate ZoneVectors zone_vectors.json; fi

#!/usr/bin/env bash
# The full overload (docs/reliability.md): a broker child process with a low rate limit, and 5,000 clients each
# publishing at 10 times that limit while a well-behaved pair measures its latency. No root needed.
#
#   chaos/overload.sh [CLIENTS 5000] [RATE_LIMIT 1] [FACTOR 10] [SECONDS 20]
#
# Environment: OVERLOAD_BROKER_CPUS / OVERLOAD_GENERATOR_CPUS pin the broker child / the load generator to CPUs
# (taskset -c LIST, e.g. 0 and 1); OVERLOAD_BROKER_JVM adds options to the broker's JVM, e.g.
# "-XX:StartFlightRecording=filename=/tmp/broker.jfr,settings=profile"; OVERLOAD_SETTINGS adds extension settings,
# e.g. "limits.flood-refusals=20 limits.flood-window=10s". Flooders reconnect by themselves. The figures include
# the CPU time each process used during the flood.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
mvn -B -q -DskipTests -pl reliability -am package dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$ROOT/reliability/target/chaos.cp"
CP="$ROOT/reliability/target/test-classes:$(cat "$ROOT/reliability/target/chaos.cp")"
# one socket per client on each side, plus the JVMs' own
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
echo "machine load before the run: $(uptime)"
PIN=()
if [[ -n "${OVERLOAD_GENERATOR_CPUS:-}" ]]; then
    PIN=(taskset -c "$OVERLOAD_GENERATOR_CPUS")
fi
exec "${PIN[@]}" java -Xmx1g -cp "$CP" org.openrtm.reliability.OverloadTool "${1:-5000}" "${2:-1}" "${3:-10}" "${4:-20}"

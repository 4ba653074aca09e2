#!/usr/bin/env bash
# Kills a process at random moments of a store checkpoint and checks that the store opens with every record
# (docs/reliability.md, "Killed during a checkpoint"). Not part of mvn verify: each cycle is a child JVM (~3 s).
#   chaos/store-kill.sh [store|mapdb] [cycles]
# store: OpenRTM's store (journal + two MapDB copies); mapdb: one MapDB file with MapDB's own transactions.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
mvn -B -q -DskipTests -pl extension -am package dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$ROOT/extension/target/store-kill.cp"
CP="$ROOT/extension/target/test-classes:$ROOT/extension/target/classes:$(cat "$ROOT/extension/target/store-kill.cp")"
exec java -cp "$CP" org.openrtm.extension.store.CheckpointKillHunt "${1:-store}" "${2:-40}"

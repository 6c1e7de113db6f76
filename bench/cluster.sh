#!/usr/bin/env bash
# Issue 9's figures (several serve workers on one PostgreSQL database, 127.0.0.1:5432, user postgres):
# 500 small files through one inbox with 1, 2 and 3 workers, idle database load per worker, take-over
# time after kill -9. Options: --files N, --workers 1,2,3, --lease 10s (default: the shipped settings).
# Builds the jar if needed; results in target/bench/cluster/results.md. About 10 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=target/bench
mkdir -p "$OUT"
if [[ ! -f target/bes-worker.jar || -n "$(find src pom.xml -newer target/bes-worker.jar -print -quit)" ]]; then
  mvn -B -q -o package -DskipTests || mvn -B -q package -DskipTests
fi
if [[ ! -f "$OUT/classpath.txt" || pom.xml -nt "$OUT/classpath.txt" ]]; then
  mvn -B -q -o dependency:build-classpath -Dmdep.outputFile="$OUT/classpath.txt" -Dmdep.includeScope=runtime \
    || mvn -B -q dependency:build-classpath -Dmdep.outputFile="$OUT/classpath.txt" -Dmdep.includeScope=runtime
fi
CP="target/classes:$(cat "$OUT/classpath.txt")"
rm -rf "$OUT/cluster-classes"
javac -nowarn -encoding UTF-8 --release 17 -d "$OUT/cluster-classes" -cp "$CP" \
  bench/src/main/java/dev/besworker/bench/ClusterBench.java
exec java -Xmx512m -cp "$OUT/cluster-classes:$CP" dev.besworker.bench.ClusterBench "$@"

#!/usr/bin/env bash
# The performance harness of issue 5: builds the worker jar if needed, compiles the harness
# (bench/src/main/java, against the worker's classes and its runtime dependencies; nothing is
# added to the Maven build), and runs every case in one go. Prints one table; a copy goes to
# target/bench/results.md. Options: bench/run.sh --help. Never part of `mvn verify`.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=target/bench
[[ "${1:-}" == "--cluster" ]] && { shift; exec bench/cluster.sh "$@"; }  # issue 9: several workers (bench/cluster.sh)
mkdir -p "$OUT"

mvn_quiet() {
  # Offline first (fast, and the usual case once the project has been built); online if that fails.
  mvn -B -q -o "$@" 2>/dev/null || mvn -B -q "$@"
}

npm_flag=""
if [[ -x node_modules/.bin/azurite-blob || -n "${BES_WORKER_AZURITE_HOME:-}" ]]; then
  npm_flag="-Dnpm.skip"
fi

if [[ ! -f target/bes-worker.jar || -n "$(find src pom.xml -newer target/bes-worker.jar -print -quit)" ]]; then
  echo "building target/bes-worker.jar ..."
  mvn_quiet package -DskipTests $npm_flag
fi

if [[ ! -f "$OUT/classpath.txt" || pom.xml -nt "$OUT/classpath.txt" ]]; then
  mvn_quiet dependency:build-classpath -Dmdep.outputFile="$OUT/classpath.txt" -Dmdep.includeScope=runtime
fi
CP="target/classes:$(cat "$OUT/classpath.txt")"

rm -rf "$OUT/classes"
javac -nowarn -encoding UTF-8 --release 17 -d "$OUT/classes" -cp "$CP" $(find bench/src/main/java -name '*.java')

echo "disk: $(df -h --output=avail . | tail -1 | tr -d ' ') free; starting the harness (about 15 minutes) ..."
exec java -Xmx2g -XX:+UseParallelGC \
  -Djdk.httpclient.allowRestrictedHeaders=content-length -Djdk.httpclient.bufsize=262144 \
  -Dbesworker.log-level=WARN -Dbesworker.data-dir="$OUT/harness" \
  -cp "$OUT/classes:$CP" dev.besworker.bench.Bench "$@"

#!/usr/bin/env bash
# EventToRouteLatency at several cluster sizes, each build in turn at each size (interleaved), with the
# packaged launcher's collector (ParallelGC); the simulator shares the JVM, hence the larger heap.
#
#   benchmarks/event-to-route.sh new=benchmarks/target/benchmarks.jar old=/path/to/old/benchmarks.jar
#
# SIZES (default "100 2000 10000"), ROUNDS (default 100; 50 at 10,000 apps), RUNS (default 1).
# A build's benchmarks.jar carries that build's balancer: build the old one from its own checkout with
# this checkout's EventToRouteLatency, PollingClient and ThreadCpu copied in.
set -euo pipefail
SIZES="${SIZES:-100 2000 10000}"
RUNS="${RUNS:-1}"
OUT="${OUT:-$(mktemp -d)}"
mkdir -p "$OUT"
[[ $# -gt 0 ]] || { echo "usage: $0 name=benchmarks.jar ..." >&2; exit 2; }
for run in $(seq 1 "$RUNS"); do
  for apps in $SIZES; do
    rounds="${ROUNDS:-$([[ $apps -ge 10000 ]] && echo 50 || echo 100)}"
    for spec in "$@"; do
      name="${spec%%=*}"; jar="${spec#*=}"
      log="$OUT/$name-$apps-$run.log"
      java -XX:+UseParallelGC -XX:MaxTenuringThreshold=1 -Xms2g -Xmx2g -Dapps="$apps" \
          -cp "$jar" io.mesoslb.bench.EventToRouteLatency "$rounds" >"$log" 2>&1 || { echo "$name $apps: failed, see $log"; continue; }
      echo "== $name, $apps apps, run $run (load $(cut -d' ' -f1-3 /proc/loadavg))"
      grep -E "table with the task|first response from it|start to first routed|CPU from start" "$log" \
          | sed -E 's/^.*event-to-route - //' | cut -c1-260
    done
  done
done
echo "logs in $OUT"

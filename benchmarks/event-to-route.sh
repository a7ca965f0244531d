#!/usr/bin/env bash
# EventToRouteLatency at several cluster sizes, each build in turn at each size (interleaved), with the
# packaged launcher's collector (ParallelGC).
#
#   benchmarks/event-to-route.sh new=benchmarks/target/benchmarks.jar old=/path/to/old/benchmarks.jar
#   SIMULATOR="in-process process" benchmarks/event-to-route.sh new=benchmarks/target/benchmarks.jar
#
# SIZES (default "100 2000 10000"), ROUNDS (default 100; 50 at 10,000 apps), RUNS (default 1),
# KILL_GRACE_MS (default 0): the simulator's kill grace; 0 makes kill and replacement one burst (see EventToRouteLatency).
# WARM_TASKS (default true): the simulator's task servers answer like warm ones from their first connection
# (-DwarmTasks, SimulatorOptions.warmTasks); false measures them cold, as every run before commit a639158 did.
# SIMULATOR: where the Marathon simulator runs, one or more of "in-process" (the default: in the balancer's
# JVM, whose heap it shares, hence -Xms2g -Xmx2g) and "process" (a JVM of its own, started by the benchmark;
# the balancer then has the launcher's 512 MB heap, pre-touched). A build's benchmarks.jar carries that build's
# balancer: build the old one from its own checkout with this checkout's lb-testkit and
# benchmarks/src/main/java/io/mesoslb/bench copied in.
set -euo pipefail
SIZES="${SIZES:-100 2000 10000}"
RUNS="${RUNS:-1}"
SIMULATOR="${SIMULATOR:-in-process}"
WARM_TASKS="${WARM_TASKS:-true}"
OUT="${OUT:-$(mktemp -d)}"
mkdir -p "$OUT"
[[ $# -gt 0 ]] || { echo "usage: $0 name=benchmarks.jar ..." >&2; exit 2; }
for run in $(seq 1 "$RUNS"); do
  for apps in $SIZES; do
    rounds="${ROUNDS:-$([[ $apps -ge 10000 ]] && echo 50 || echo 100)}"
    for sim in $SIMULATOR; do
      case "$sim" in
        in-process) jvm=(-Xms2g -Xmx2g) ;;
        process) jvm=(-Xms512m -Xmx512m -XX:+AlwaysPreTouch -XX:MetaspaceSize=64m -Dsimulator=process) ;;
        *) echo "SIMULATOR: in-process or process, not $sim" >&2; exit 2 ;;
      esac
      for spec in "$@"; do
        name="${spec%%=*}"; jar="${spec#*=}"
        log="$OUT/$name-$sim-$apps-$run.log"
        java -XX:+UseParallelGC -XX:MaxTenuringThreshold=1 "${jvm[@]}" -Dapps="$apps" -DwarmTasks="$WARM_TASKS" -DkillGraceMs="${KILL_GRACE_MS:-0}" \
            -cp "$jar" io.mesoslb.bench.EventToRouteLatency "$rounds" >"$log" 2>&1 || { echo "$name $sim $apps: failed, see $log"; continue; }
        echo "== $name, simulator $sim, $apps apps, run $run (load $(cut -d' ' -f1-3 /proc/loadavg))"
        grep -E "table with the task|hand-over|request reached|first response from it|request at task|request sent|accepted before|start to first routed|CPU from start|simulator process:|clock:" "$log" \
            | sed -E 's/^.*event-to-route - //' | cut -c1-260
      done
    done
  done
done
echo "logs in $OUT"

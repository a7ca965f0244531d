#!/usr/bin/env bash
# How fast each proxy answers the first requests on new connections, as a run.sh round opens them:
# a warm proxy (keep-alive load), then ROUNDS runs of h2load on 64 new keep-alive connections each;
# then CHURN of connection-per-request load (Connection: close), then ROUNDS runs again, and with IDLE
# set, ROUNDS more runs each after IDLE seconds without traffic. For each run, the first 64 requests'
# median and maximum latency, and the run's p99 with and without its first 1.5 s.
#
#   benchmarks/load/new-connections.sh
#
# Knobs (environment): TARGETS (mesos-lb nginx haproxy; mesos-lb-<variant> as in run.sh), ROUNDS (3),
# REQUESTS (150000 per run), CHURN (10s), IDLE (0: no runs after idle spells; e.g. 45, as run.sh's
# rounds wait 30-50 s), and run.sh's MESOS_LB_JAR, JVM_OPTS, WORKERS and CPU layout.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
quick_or_usage "$@"

TARGETS="${TARGETS:-mesos-lb nginx haproxy}"
ROUNDS="${ROUNDS:-3}"
REQUESTS="${REQUESTS:-150000}"
CHURN="${CHURN:-10s}"
IDLE="$(seconds "${IDLE:-0}")"
DOMAIN=bench.local NGINX_BUFFERING=on
RESULTS="${RESULTS:-$HERE/results/new-connections-$(date +%Y%m%d-%H%M%S)}"
LOG_TAG=new-connections

require_tools nginx haproxy wrk h2load curl java ss

http_setup
for target in $TARGETS; do
    [[ "$target" == nginx || "$target" == haproxy || "$target" == mesos-lb* ]] \
        || die "unknown target $target (mesos-lb, mesos-lb-<variant>, nginx, haproxy)"
done
http_configure
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >"$RESULTS/env.txt"
http_start
for target in $TARGETS; do
    for _ in $(seq 150); do
        all_alive
        curl -fs -o /dev/null -m 1 -H "Host: www.$DOMAIN" "http://127.0.0.1:${PORT[$target]}/hello.txt" && break
        sleep 0.2
    done
done

# h2load_run <target> <requests> [<log>]: 64 new keep-alive connections, <requests> in all.
h2load_run() {
    pin "$LOADGEN_CPUS"
    "${PIN[@]}" h2load --h1 -c 64 -t 1 -n "$2" -H ":authority: www.$DOMAIN" ${3:+--log-file "$3"} \
        "http://127.0.0.1:${PORT[$1]}/hello.txt" >"$RUN_DIR/h2load.out" 2>&1 \
        || { cat "$RUN_DIR/h2load.out" >&2; die "h2load failed against $1"; }
    grep -q "status codes: $2 2xx" "$RUN_DIR/h2load.out" || { cat "$RUN_DIR/h2load.out" >&2; die "failed requests against $1"; }
}

# quantile <q>: of the numbers on stdin (microseconds), in ms.
quantile() {
    sort -n | awk -v q="$1" '{ a[NR] = $1 } END { i = int(q * NR); if (i < 1) i = 1; printf "%.1f", a[i] / 1000 }'
}

# first_requests <log>: h2load's per-request log (start us, status, latency us) summarised.
first_requests() {
    local sorted="$RUN_DIR/sorted.log"
    sort -n "$1" >"$sorted"
    printf 'first 64: median %s ms, max %s ms | p99 %s ms, after the first 1.5 s %s ms\n' \
        "$(head -64 "$sorted" | cut -f3 | quantile 0.5)" "$(head -64 "$sorted" | cut -f3 | quantile 1)" \
        "$(cut -f3 "$sorted" | quantile 0.99)" \
        "$(awk 'NR == 1 { t0 = $1 } $1 - t0 > 1500000 { print $3 }' "$sorted" | quantile 0.99)"
}

mkdir -p "$RESULTS"
for target in $TARGETS; do
    log "$target: warming up"
    h2load_run "$target" 300000
    for (( r = 1; r <= ROUNDS; r++ )); do
        h2load_run "$target" "$REQUESTS" "$RUN_DIR/before-$target-$r.log"
        log "$target before churn, run $r: $(first_requests "$RUN_DIR/before-$target-$r.log")" 2>&1 | tee -a "$RESULTS/summary.txt"
    done
    pin "$LOADGEN_CPUS"
    "${PIN[@]}" wrk -t1 -c16 -d"$CHURN" -H "Host: www.$DOMAIN" -H "Connection: close" \
        "http://127.0.0.1:${PORT[$target]}/hello.txt" >"$RESULTS/churn-$target.txt" 2>&1
    log "$target: $(grep -o '[0-9]* requests in [0-9.]*s' "$RESULTS/churn-$target.txt") with Connection: close"
    for (( r = 1; r <= ROUNDS; r++ )); do
        h2load_run "$target" "$REQUESTS" "$RUN_DIR/after-$target-$r.log"
        log "$target after churn, run $r: $(first_requests "$RUN_DIR/after-$target-$r.log")" 2>&1 | tee -a "$RESULTS/summary.txt"
    done
    (( IDLE > 0 )) || continue
    for (( r = 1; r <= ROUNDS; r++ )); do
        sleep "$IDLE"
        h2load_run "$target" "$REQUESTS" "$RUN_DIR/idle-$target-$r.log"
        log "$target after ${IDLE} s idle, run $r: $(first_requests "$RUN_DIR/idle-$target-$r.log")" 2>&1 | tee -a "$RESULTS/summary.txt"
    done
done

#!/usr/bin/env bash
# TCP service ports under load: redis-benchmark against redis-server directly, through a mesos-lb
# TCP service port, and through HAProxy in mode tcp, pinned as run.sh pins. See README.md next to
# this script ("TCP service ports (issue 14)").
#
#   benchmarks/load/run-tcp.sh            # full run (DURATION=10s per test, ROUNDS=3)
#   benchmarks/load/run-tcp.sh --quick    # smoke test (DURATION=2s ROUNDS=1 WARMUP=2s)
#
# Every knob is an environment variable (defaults below). Traffic only ever goes to 127.0.0.1.
# Exits non-zero if any redis-benchmark run (warm-ups included) failed, stalled, wrote anything to
# stderr, or if redis-server did not count exactly the commands it was sent, or a connection was
# left open; before and after measuring, a 4 MiB random value must come back byte for byte.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# JAR JVM_OPTS MESOS_LB_ARGS WORKERS READY_TIMEOUT and the CPU pinning: see lib.sh.
# shellcheck source=lib.sh
source "$HERE/lib.sh"
quick_or_usage "$@"

DURATION="${DURATION:-10s}"            # aimed length of each measured test (sized by the warm-up)
ROUNDS="${ROUNDS:-3}"                  # rounds; targets interleaved (and rotated) within each
WARMUP="${WARMUP:-10s}"                # mesos-lb JIT warm-up; the others get one pass of each workload
CLIENTS="${CLIENTS:-50}"               # redis-benchmark -c, every workload
BULK_SIZE="${BULK_SIZE:-65536}"        # -d of the bulk workload (SET and GET of that many bytes)
TARGETS="${TARGETS:-direct mesos-lb haproxy}"
WORKLOADS="${WORKLOADS:-kv connect bulk}"   # see ARGS below
RESULTS="${RESULTS:-$HERE/results/tcp-$(date +%Y%m%d-%H%M%S)}"
LOG_TAG=load-tcp

DURATION_S="$(seconds "$DURATION")" WARMUP_S="$(seconds "$WARMUP")"
# redis-benchmark waits forever for a lost reply: a run during which redis-server executes no
# command for STALL seconds has stalled, and no run may take longer than RUN_TIMEOUT.
STALL="${STALL:-10}"
RUN_TIMEOUT="${RUN_TIMEOUT:-$(( DURATION_S * 60 > 600 ? DURATION_S * 60 : 600 ))}"

# Workloads: the redis-benchmark arguments, the tests they print, and the commands redis-server
# must count per request (ping twice: PING_INLINE and PING_MBULK).
declare -A ARGS=(
    [kv]="-t ping,set,get -c $CLIENTS -P 1"
    [connect]="-t ping_mbulk -k 0 -c $CLIENTS"
    [bulk]="-t set,get -d $BULK_SIZE -c $CLIENTS"
)
declare -A TESTS=([kv]="ping_inline ping_mbulk set get" [connect]="connect" [bulk]="set_bulk get_bulk")
declare -A COMMANDS=([kv]="ping=2 set=1 get=1" [connect]="ping=1" [bulk]="set=1 get=1")
# Requests of the warm-up runs, from which the measured runs are sized.
declare -A WARM_N=([kv]=50000 [connect]=10000 [bulk]=10000)

require_tools redis-server redis-benchmark redis-cli haproxy java ss curl timeout
for w in $WORKLOADS; do [[ -n "${ARGS[$w]:-}" ]] || die "unknown workload $w (kv connect bulk)"; done

# ------------------------------------------------------------------ configuration

mkdir -p "$RESULTS"
REDIS_PORT="$(free_port)"
declare -A PORT=([direct]=$REDIS_PORT) ADMIN=()
for target in $TARGETS; do
    case "$target" in
        direct) ;;
        haproxy) PORT[$target]="$(free_port)" ;;
        mesos-lb | mesos-lb-*) PORT[$target]="$(free_port)" ADMIN[$target]="$(free_port)" ;;
        *) die "unknown target $target (direct, mesos-lb, mesos-lb-<variant>, haproxy)" ;;
    esac
done

render() { # render <template> <output> <listen port>
    sed -e "s|@@BACKEND_PORT@@|$REDIS_PORT|g" -e "s|@@PORT@@|$3|g" -e "s|@@WORKERS@@|$WORKERS|g" "$1" >"$2"
}

{
    env_header
    echo "redis: $(redis-server --version | sed 's/ sha=.*//'), $(redis-benchmark --version)"
    echo "settings: DURATION=$DURATION ROUNDS=$ROUNDS WARMUP=$WARMUP CLIENTS=$CLIENTS BULK_SIZE=$BULK_SIZE WORKERS=$WORKERS"
    echo "cpus: proxy=${PROXY_CPUS:-any}${PROXY_CPU_QUOTA:+ (quota $PROXY_CPU_QUOTA% of a core)} redis-server=${BACKEND_CPUS:-any} redis-benchmark=${LOADGEN_CPUS:-any}"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$RESULTS/env.txt"
log "results in $RESULTS"

# ------------------------------------------------------------------ start everything

log "redis-server on port $REDIS_PORT"
start redis "$BACKEND_CPUS" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$RUN_DIR" --daemonize no --maxclients 10000 --logfile ''
for target in $TARGETS; do
    case "$target" in
        haproxy)
            render "$HERE/conf/tcp-haproxy.cfg" "$RUN_DIR/tcp-haproxy.cfg" "${PORT[haproxy]}"
            start_proxy haproxy haproxy -db -f "$RUN_DIR/tcp-haproxy.cfg"
            ;;
        mesos-lb*)
            mesos_lb_variant "$target"
            render "$HERE/conf/tcp-routes.json" "$RUN_DIR/routes-$target.json" "${PORT[$target]}"
            echo "$target: $LB_OPTS $LB_JAR $LB_ARGS" >>"$RESULTS/env.txt"
            # The HTTP port is there but idle; the admin port gives the service port's meters.
            # shellcheck disable=SC2086 # opts and args are word lists
            start_proxy "$target" java $LB_OPTS -jar "$LB_JAR" \
                --listen-host 127.0.0.1 --listen-port "$(free_port)" --domain bench.local \
                --routes-file "$RUN_DIR/routes-$target.json" --service-bind-host 127.0.0.1 \
                --worker-threads "$WORKERS" --admin-port "${ADMIN[$target]}" --access-log=false \
                --drain-period 0s $LB_ARGS
            ;;
    esac
    [[ "$target" == direct ]] || log "$target on port ${PORT[$target]}"
done
PID_OF[direct]="${PID_OF[redis]}"

rcli() { # rcli <port> <redis-cli args...>: bounded
    local port="$1"; shift
    timeout 10 redis-cli -h 127.0.0.1 -p "$port" "$@"
}

# roundtrip <target>: a 4 MiB random value SET through the target comes back byte for byte.
BLOB="$RUN_DIR/blob.bin"
head -c $(( 4 << 20 )) /dev/urandom >"$BLOB"
roundtrip() {
    local target="$1" port="${PORT[$1]}" out="$RUN_DIR/blob-$1.out" reply
    reply="$(rcli "$port" -x set "blob:$target" <"$BLOB" 2>&1)" || die "$target: SET of 4 MiB failed: $reply"
    [[ "$reply" == OK ]] || die "$target: SET of 4 MiB answered: $reply"
    rcli "$port" --raw get "blob:$target" >"$out" || die "$target: GET of 4 MiB failed"
    # --raw ends the value with a newline of its own.
    [[ "$(stat -c %s "$out")" == $(( (4 << 20) + 1 )) ]] && cmp -s -n $(( 4 << 20 )) "$out" "$BLOB" \
        || die "$target: the 4 MiB value came back different ($(stat -c %s "$out") bytes, see $out)"
    rcli "$port" del "blob:$target" >/dev/null
}

await_ready() { # await_ready <target>: answers PING with PONG, then the byte check
    local target="$1" deadline=$(( SECONDS + READY_TIMEOUT )) reply
    while :; do
        all_alive
        reply="$(rcli "${PORT[$target]}" ping 2>&1 || true)"
        [[ "$reply" != PONG ]] || break
        (( SECONDS < deadline )) || die "$target not answering PING after ${READY_TIMEOUT}s (last: $reply)"
        sleep 0.2
    done
    roundtrip "$target"
}
for target in direct $TARGETS; do await_ready "$target"; done
log "all targets answer, a 4 MiB value round-trips through each"

# ------------------------------------------------------------------ measuring

FAILURES=0
TSV="$RESULTS/results.tsv"
printf 'round\ttarget\ttest\trequests\treq_per_s\tp50_ms\tp99_ms\tcpu_pct\tcpu_us_per_req\tcheck\n' >"$TSV"
CLK_TCK="$(getconf CLK_TCK)"

# counters: "<command>=<calls> ... failed=<n> rejected=<n> connections=<n>" from redis-server.
counters() {
    rcli "$REDIS_PORT" info all | tr -d '\r' | awk -F'[:,=]' '
        /^cmdstat_/ { sub(/^cmdstat_/, "", $1); c[$1] = $3
                      for (i = 2; i < NF; i += 2) { if ($i == "failed_calls") f += $(i + 1); if ($i == "rejected_calls") r += $(i + 1) } }
        /^total_connections_received:/ { conn = $2 }
        /^total_error_replies:/ { errs = $2 }
        END { printf "ping=%d set=%d get=%d failed=%d rejected=%d errors=%d connections=%d\n",
              c["ping"], c["set"], c["get"], f, r, errs, conn }'
}

# settled <target>: within 10 s, redis-server has only the client asking, and nothing is left
# connected to the target's port (mesos-lb: its meters say no connection is active).
settled() {
    local target="$1" deadline=$(( SECONDS + 10 )) clients estab active
    while :; do
        clients="$(rcli "$REDIS_PORT" info clients | tr -d '\r' | sed -n 's/^connected_clients://p')"
        estab="$(ss -Htn state established "( sport = :${PORT[$target]} )" | wc -l)"
        active=0
        if [[ -n "${ADMIN[$target]:-}" ]]; then
            active="$(curl -s -m 5 "http://127.0.0.1:${ADMIN[$target]}/metrics" \
                | awk '/^mesoslb_service_connections_active\{/ { s += $2 } END { print s + 0 }')"
        fi
        # direct: the asking client is itself connected to the port.
        if [[ "$clients" == 1 && "$estab" -le $([[ "$target" == direct ]] && echo 1 || echo 0) && "$active" == 0 ]]; then
            return 0
        fi
        if (( SECONDS >= deadline )); then
            echo "connections left after the run: redis-server clients=$clients, established on :${PORT[$target]}=$estab, mesos-lb active=$active"
            return 0
        fi
        sleep 0.2
    done
}

# watch_progress <pid>: while the load generator <pid> runs (not yet reaped, so not a zombie),
# redis-server must go on executing commands; after STALL seconds without one, stops the generator
# and says so.
watch_progress() {
    local pid="$1" last="" now quiet=0 state
    while :; do
        state="$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)"
        [[ -n "$state" && "$state" != Z ]] || return 0
        sleep 1
        now="$(rcli "$REDIS_PORT" info stats 2>/dev/null | tr -d '\r' | sed -n 's/^total_commands_processed://p')" || true
        # Our own INFO is one command: progress is more than one since the last look.
        if [[ -z "$now" ]] || { [[ -n "$last" ]] && (( now - last <= 1 )); }; then
            quiet=$(( quiet + 1 ))
        else
            quiet=0
        fi
        last="$now"
        if (( quiet >= STALL )); then
            kill -TERM "$pid" 2>/dev/null || true
            echo "stalled: redis-server executed nothing for ${STALL}s;"
            return 0
        fi
    done
}

# bench <label> <target> <workload> <requests>: one redis-benchmark run, checked; its rows go to
# results.tsv unless a warm-up. Sets RPS_MIN to the slowest test's rate.
bench() {
    local label="$1" target="$2" workload="$3" n="$4"
    local out="$RESULTS/$label-$workload-$target.csv" err="$RESULTS/$label-$workload-$target.err"
    local pid="${PID_OF[$target]}" before after start_ticks end_ticks start_ns end_ns status=0 problem
    all_alive
    before="$(counters)"
    start_ticks="$(cpu_ticks "$pid")"; start_ns="$(date +%s%N)"
    pin "$LOADGEN_CPUS"
    # In the background: bash runs the INT/TERM traps during "wait", not until a foreground child ends.
    # shellcheck disable=SC2086 # ARGS are word lists
    timeout "$RUN_TIMEOUT" "${PIN[@]}" redis-benchmark -h 127.0.0.1 -p "${PORT[$target]}" ${ARGS[$workload]} \
        -n "$n" --csv >"$out" 2>"$err" &
    WRK_PID=$!
    problem="$(watch_progress "$WRK_PID")"
    wait "$WRK_PID" || status=$?
    WRK_PID=""
    end_ticks="$(cpu_ticks "$pid")"; end_ns="$(date +%s%N)"
    after="$(counters)"

    (( status != 124 )) || problem+=" not done after ${RUN_TIMEOUT}s;"
    (( status == 0 )) || problem+=" redis-benchmark exited $status;"
    # -k 0 warns about TIME_WAIT once; anything else on stderr is an error (redis-benchmark prints
    # "Error: ..." when a connection is closed under it, "Error from server" for error replies).
    if grep -v "^WARNING: Keepalive disabled" "$err" | grep -q .; then
        problem+=" stderr: $(grep -v '^WARNING: Keepalive disabled' "$err" | head -3 | tr '\n' ' ');"
    fi
    # Every command sent was executed, none failed: redis-server's own count, not the client's.
    local kv want got key
    for kv in ${COMMANDS[$workload]}; do
        key="${kv%=*}"
        want=$(( n * ${kv#*=} ))
        got=$(( $(sed "s/.*\b$key=\([0-9]*\).*/\1/" <<<"$after") - $(sed "s/.*\b$key=\([0-9]*\).*/\1/" <<<"$before") ))
        (( got == want )) || problem+=" redis-server ran $got $key, expected $want;"
    done
    for key in failed rejected errors; do
        got=$(( $(sed "s/.*\b$key=\([0-9]*\).*/\1/" <<<"$after") - $(sed "s/.*\b$key=\([0-9]*\).*/\1/" <<<"$before") ))
        (( got == 0 )) || problem+=" redis-server counted $got $key calls;"
    done
    if [[ "$workload" == connect ]]; then
        got=$(( ${after##*connections=} - ${before##*connections=} ))
        (( got >= n )) || problem+=" only $got connections reached redis-server for $n requests;"
    fi
    local left
    left="$(settled "$target")"
    [[ -z "$left" ]] || problem+=" $left;"

    # The CSV: "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
    local rows
    rows="$(awk -F, -v label="$label" -v target="$target" -v tests="${TESTS[$workload]}" -v n="$n" \
        -v ticks="$(( ${end_ticks% *} + ${end_ticks#* } - ${start_ticks% *} - ${start_ticks#* } ))" \
        -v hz="$CLK_TCK" -v wall_ns="$(( end_ns - start_ns ))" -v direct="$([[ $target == direct ]] && echo 1 || echo 0)" '
        NR > 1 {
            for (i = 1; i <= NF; i++) gsub(/"/, "", $i)
            if ($2 + 0 <= 0) { print "no rate for " $1 > "/dev/stderr"; exit 1 }
            rps[++k] = $2; p50[k] = $5; p99[k] = $7; total += n / $2
        }
        END {
            nt = split(tests, T, " ")
            if (k != nt) { print "expected " nt " result lines, got " k > "/dev/stderr"; exit 1 }
            cpu = ticks / hz
            for (i = 1; i <= nt; i++) {
                # The proxy CPU of the whole run, shared out by the time each test took.
                share = (n / rps[i]) / total
                printf "%s\t%s\t%s\t%d\t%.0f\t%.3f\t%.3f\t%s\t%s\tok\n", label, target, T[i], n, rps[i], p50[i], p99[i],
                    direct ? "-" : sprintf("%.0f", 100 * cpu / (wall_ns / 1e9)),
                    direct ? "-" : sprintf("%.1f", 1e6 * cpu * share / n)
            }
        }' "$out" 2>&1)" || problem+=" $rows;"
    if [[ -n "$problem" ]]; then
        FAILURES=$(( FAILURES + 1 ))
        log "$target $workload $label: FAILED:$problem (see $out, $err)"
        rows="$(sed 's/\tok$/\tFAILED/' <<<"$rows")"
    fi
    [[ "$label" != r[0-9]* ]] || printf '%s\n' "$rows" | grep -v '^expected' >>"$TSV" || true
    RPS_MIN="$(awk -F'\t' 'NF > 5 { if (m == "" || $5 < m) m = $5 } END { print m + 0 }' <<<"$rows")"
    awk -F'\t' 'NF > 5 { printf "%-8s %-9s %-12s %9s req/s  p50 %6.3f ms  p99 %7.3f ms  cpu %s%%  %s us/req  %s\n",
        $1, $2, $3, $5, $6, $7, $8, $9, $10 }' <<<"$rows" | while IFS= read -r line; do log "$line"; done
}

# Warm-up: every workload once against every target; mesos-lb is run on until WARMUP has passed,
# for the JIT. Each target's last warm-up rate sizes its measured runs, so that every test lasts
# about DURATION whatever the target's speed (the rates are compared, not the counts).
declare -A N=()
for target in $TARGETS; do
    deadline=$SECONDS
    [[ "$target" != mesos-lb* ]] || deadline=$(( SECONDS + WARMUP_S ))
    while :; do
        for w in $WORKLOADS; do
            bench warmup "$target" "$w" "${WARM_N[$w]}"
            n=$(( (RPS_MIN * DURATION_S + 999) / 1000 * 1000 ))
            N[$target:$w]=$(( n > 1000 ? n : 1000 ))
        done
        (( SECONDS < deadline )) || break
    done
done
echo "requests per run: $(for t in $TARGETS; do for w in $WORKLOADS; do printf '%s:%s=%s ' "$t" "$w" "${N[$t:$w]}"; done; done)" \
    >>"$RESULTS/env.txt"

measured() { bench "$1" "$2" "$3" "${N[$2:$3]}"; }
interleaved_rounds "$WORKLOADS" measured

# After the load: the bytes still come back exact, and mesos-lb never failed to reach redis-server.
for target in $TARGETS; do
    roundtrip "$target"
    [[ -n "${ADMIN[$target]:-}" ]] || continue
    metrics="$(curl -s -m 5 "http://127.0.0.1:${ADMIN[$target]}/metrics")" || die "$target: no /metrics"
    printf '%s\n' "$metrics" | grep '^mesoslb_service' >"$RESULTS/metrics-$target.txt" || true
    bad="$(awk '/^mesoslb_service_connections_total\{.*result="(failed|refused)"/ || /^mesoslb_service_connect_failures_total\{/ { s += $2 }
        END { print s + 0 }' "$RESULTS/metrics-$target.txt")"
    if [[ "$bad" != 0 ]]; then
        FAILURES=$(( FAILURES + 1 ))
        log "$target: $bad connection(s) failed, refused or could not connect (see $RESULTS/metrics-$target.txt)"
    fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$RESULTS/env.txt"

# ------------------------------------------------------------------ report

# Per test and target: the median rate over the rounds, its spread, the median p99, ratios of the
# medians to haproxy and to direct, and the same-round ratios to haproxy (one per round).
table() {
    awk -F'\t' -v targets="$TARGETS" -v tests="$(for w in $WORKLOADS; do echo "${TESTS[$w]}"; done)" \
        -v bulk="$BULK_SIZE" "$AWK_MEDIAN"'
        NR > 1 {
            k = $2 SUBSEP $3
            rps[k] = rps[k] " " $5; p99[k] = p99[k] " " $7; cpr[k] = cpr[k] " " $9
            at[k, $1] = $5; if (substr($1, 2) + 0 > nr) nr = substr($1, 2) + 0
            if ($10 != "ok") bad[k] = 1
        }
        function range(list,   b) { bounds(list, b); return sprintf("%.0f-%.0f", b["lo"], b["hi"]) }
        END {
            print "| test | target | req/s | spread | MiB/s | p99 ms | vs haproxy | vs direct | per round vs haproxy | proxy CPU us/req |"
            print "|---|---|---:|---:|---:|---:|---:|---:|---|---:|"
            ns = split(tests, S, " "); nt = split(targets, T, " ")
            for (s = 1; s <= ns; s++) {
                rates(S[s], T, nt)
                kh = "haproxy" SUBSEP S[s]; kd = "direct" SUBSEP S[s]
                for (t = 1; t <= nt; t++) {
                    k = T[t] SUBSEP S[s]
                    if (!(k in rps)) continue
                    per = ""
                    for (i = 1; i <= nr; i++) if ((k, "r" i) in at && (kh, "r" i) in at) per = per sprintf(" %.2f", at[k, "r" i] / at[kh, "r" i])
                    printf "| %s | %s | %.0f | %s | %s | %.2f | %s | %s | %s | %s |%s\n", S[s], T[t], r[k], range(rps[k]),
                        S[s] ~ /_bulk$/ ? sprintf("%.0f", r[k] * bulk / 1048576) : "-", median(p99[k]),
                        ratio(k, kh), ratio(k, kd),
                        T[t] == "haproxy" ? "-" : per, T[t] == "direct" ? "-" : sprintf("%.1f", median(cpr[k])),
                        (k in bad) ? " FAILED" : ""
                }
            }
        }' "$TSV"
}

{
    report_head "mesos-lb TCP service port load comparison"
    table
    echo
    echo "Medians over $ROUNDS round(s); redis-benchmark -c $CLIENTS -P 1. kv: -t ping,set,get (3-byte values);"
    echo "connect: -t ping_mbulk -k 0 (a new connection per request); bulk: -t set,get -d $BULK_SIZE (MiB/s of values)."
    echo "\"spread\" is the lowest and highest rate over the rounds; \"per round vs haproxy\" divides rates of one round."
} >"$RESULTS/table.md"
cat "$RESULTS/table.md"

if (( FAILURES > 0 )); then
    die "$FAILURES check(s) failed: redis-benchmark errors, stalls, lost or failed commands, or connections left open (see above and $RESULTS)"
fi
log "OK: every command executed exactly once, no errors, nothing left connected, bytes exact"

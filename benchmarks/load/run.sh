#!/usr/bin/env bash
# End-to-end load comparison: wrk against an nginx origin directly, and through mesos-lb, nginx
# and HAProxy configured alike. See README.md next to this script.
#
#   benchmarks/load/run.sh            # full run (DURATION=10s ROUNDS=3)
#   benchmarks/load/run.sh --quick    # smoke test (DURATION=2s ROUNDS=1 WARMUP=2s)
#
# Every knob is an environment variable (defaults below). Traffic only ever goes to 127.0.0.1.
# Exits non-zero if any wrk run (warm-ups included) saw a socket error, an HTTP error status (wrk
# counts >= 400), or responses whose average size does not fit the body (which also catches
# redirects and error pages); before measuring, every target must answer 200 with the exact body.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# JAR JVM_OPTS MESOS_LB_ARGS WORKERS ORIGIN_WORKERS READY_TIMEOUT and the CPU pinning: see lib.sh.
# shellcheck source=lib.sh
source "$HERE/lib.sh"
quick_or_usage "$@"

DURATION="${DURATION:-10s}"            # each measured wrk run
ROUNDS="${ROUNDS:-3}"                  # rounds; targets interleaved (and rotated) within each
WARMUP="${WARMUP:-10s}"                # mesos-lb JIT warm-up per body; the others get 2s per body
CHURN_WARMUP="${CHURN_WARMUP:-5s}"     # then a warm-up of new connections (Connection: close); the others get 2s
SETTLE_ROUNDS="${SETTLE_ROUNDS:-2}"    # then settling rounds, shaped like the measured ones (every target, each
SETTLE="${SETTLE:-3s}"                 # body, wrk closing its connections at the end), SETTLE long each
# CPUs for mesos-lb's threads other than its event loops (the JIT's and the collector's; empty: they share
# PROXY_CPUS). Not a like-for-like comparison on two cores, where these CPUs are wrk's and the origin's: it shows what
# the loop does when the compiler is not on its core (README.md, "The p99 and the JIT").
JVM_HELPER_CPUS="${JVM_HELPER_CPUS:-}"
CONNECTIONS="${CONNECTIONS:-64}"
WRK_THREADS="${WRK_THREADS:-1}"
DOMAIN="${DOMAIN:-bench.local}"
TARGETS="${TARGETS:-direct mesos-lb nginx haproxy}"
BODIES="${BODIES:-small 64k}"
# on: nginx buffers whole upstream responses in memory (its usual setup); off: streams like the others.
NGINX_BUFFERING="${NGINX_BUFFERING:-on}"
PROFILE="${PROFILE:-0}"                # 1: afterwards, profile mesos-lb under load (JFR, and perf)
PROFILE_DURATION="${PROFILE_DURATION:-20s}"
PROFILE_BODY="${PROFILE_BODY:-small}"
SYSCALLS="${SYSCALLS:-0}"              # 1: afterwards, count each proxy's syscalls per request (strace)
RESULTS="${RESULTS:-$HERE/results/$(date +%Y%m%d-%H%M%S)}"

require_tools nginx haproxy wrk curl java jcmd ss

# ------------------------------------------------------------------ configuration

http_setup
http_configure

{
    env_header
    echo "nginx: $(nginx -v 2>&1 | sed 's/.*version: //')"
    echo "wrk: $(wrk -v 2>&1 | sed -n 1p | sed 's/ \[.*//')"
    echo "settings: DURATION=$DURATION ROUNDS=$ROUNDS WARMUP=$WARMUP CHURN_WARMUP=$CHURN_WARMUP SETTLE_ROUNDS=$SETTLE_ROUNDS SETTLE=$SETTLE CONNECTIONS=$CONNECTIONS WRK_THREADS=$WRK_THREADS WORKERS=$WORKERS ORIGIN_WORKERS=$ORIGIN_WORKERS NGINX_BUFFERING=$NGINX_BUFFERING CLOSE_EACH=${CLOSE_EACH:-0}"
    echo "cpus: proxy=${PROXY_CPUS:-any}${PROXY_CPU_QUOTA:+ (quota $PROXY_CPU_QUOTA% of a core)} backend=${BACKEND_CPUS:-any} wrk=${LOADGEN_CPUS:-any}${JVM_HELPER_CPUS:+ mesos-lb-helpers=$JVM_HELPER_CPUS}"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$RESULTS/env.txt"
log "results in $RESULTS"

# ------------------------------------------------------------------ start everything

http_start

# Waits until <target> answers <body> with 200 and exactly the expected bytes.
await_ready() {
    local target="$1" body="$2" deadline=$(( SECONDS + READY_TIMEOUT )) code
    local out="$RUN_DIR/ready-$target-$body"
    while :; do
        all_alive
        code="$(curl -s -o "$out" -w '%{http_code}' -m 2 -H "Host: www.$DOMAIN" \
            "http://127.0.0.1:${PORT[$target]}${BODY_PATH[$body]}" || true)"
        if [[ "$code" == 200 ]] && cmp -s "$out" "$RUN_DIR/www${BODY_PATH[$body]}"; then
            return
        fi
        (( SECONDS < deadline )) || die "$target not serving ${BODY_PATH[$body]} after ${READY_TIMEOUT}s (last status $code)"
        sleep 0.2
    done
}
for target in direct $TARGETS; do
    for body in $BODIES; do await_ready "$target" "$body"; done
done
log "all targets serve both bodies"
if [[ -n "$JVM_HELPER_CPUS" ]]; then
    for target in $TARGETS; do
        [[ "$target" != mesos-lb* ]] || pin_jvm_helpers "${PID_OF[$target]}" "$JVM_HELPER_CPUS"
    done
    log "mesos-lb's threads other than its event loops moved to CPUs $JVM_HELPER_CPUS"
fi

# ------------------------------------------------------------------ measuring

FAILURES=0
TSV="$RESULTS/results.tsv"
printf 'round\ttarget\tbody\treq_per_s\tp50_us\tp99_us\tp999_us\tmax_us\terrors\tcpu_pct\tcpu_us_per_req\tcheck\tuser_us_per_req\tsys_us_per_req\tload_cores_busy_pct\tjit_ms\tgc_ms\n' >"$TSV"
CLK_TCK="$(getconf CLK_TCK)"

# bench <label> <target> <body> <duration>: one wrk run; appends to results.tsv unless a warm-up.
# WRK_EXTRA: more wrk arguments (the churn warm-up's header).
WRK_EXTRA=()
bench() {
    local label="$1" target="$2" body="$3" duration="$4"
    local out="$RESULTS/$label-$body-$target.txt" start_ticks end_ticks start_ns end_ns start_load end_load
    local pid="${PID_OF[$target]}" start_jvm end_jvm
    start_jvm="$(jvm_ticks "$pid")"
    start_ticks="$(cpu_ticks "$pid")"; start_ns="$(date +%s%N)"
    # wrk's and the origin's cores: when they are busy all along, they and not the proxy set the rate.
    start_load="$(cores_ticks "$LOADGEN_CPUS" "$BACKEND_CPUS")"
    pin "$LOADGEN_CPUS"
    # In the background: bash runs the INT/TERM traps during "wait", not until a foreground child ends.
    "${PIN[@]}" wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$duration" --latency \
        -H "Host: www.$DOMAIN" "${WRK_EXTRA[@]}" -s "$HERE/conf/report.lua" \
        "http://127.0.0.1:${PORT[$target]}${BODY_PATH[$body]}" >"$out" 2>&1 &
    WRK_PID=$!
    if ! wait "$WRK_PID"; then
        WRK_PID=""
        cat "$out" >&2
        die "wrk failed against $target"
    fi
    WRK_PID=""
    end_ticks="$(cpu_ticks "$pid")"; end_ns="$(date +%s%N)"
    end_jvm="$(jvm_ticks "$pid")"
    end_load="$(cores_ticks "$LOADGEN_CPUS" "$BACKEND_CPUS")"
    local line
    line="$(grep '^LOADBENCH ' "$out")" || die "no LOADBENCH line in $out"
    # The awk program checks the run and emits the TSV row (or a problem description on stderr).
    local row
    row="$(awk -v line="$line" -v label="$label" -v target="$target" -v body="$body" \
        -v size="${BODY_SIZE[$body]}" -v user_ticks="$(( ${end_ticks% *} - ${start_ticks% *} ))" \
        -v sys_ticks="$(( ${end_ticks#* } - ${start_ticks#* } ))" -v hz="$CLK_TCK" \
        -v wall_ns="$(( end_ns - start_ns ))" -v load_busy="$(( ${end_load% *} - ${start_load% *} ))" \
        -v load_all="$(( ${end_load#* } - ${start_load#* } ))" -v jvm_start="$start_jvm" -v jvm_end="$end_jvm" '
        # ms of CPU between two of jvm_ticks counts ("-" for a process without JVM threads). A compiler thread the JVM
        # retired takes its ticks with it: never below zero.
        function ticks_ms(from, to) { return from == "-" ? "-" : sprintf("%d", (to > from ? to - from : 0) * 1000 / hz) }
        BEGIN {
            n = split(line, kv, " ")
            for (i = 2; i <= n; i++) { split(kv[i], p, "="); v[p[1]] = p[2] }
            errors = v["connect"] + v["read"] + v["write"] + v["status"] + v["timeout"]
            problem = ""
            if (v["requests"] == 0) problem = "no requests completed"
            else {
                per = v["bytes"] / v["requests"]
                # Headers are well under 1 KiB: anything outside this band is not our body.
                if (per < size || per > size + 1024) problem = sprintf("%.0f bytes per response, body is %d", per, size)
            }
            if (errors > 0) problem = problem sprintf(" socket errors connect=%d read=%d write=%d timeout=%d, status>=400: %d",
                v["connect"], v["read"], v["write"], v["timeout"], v["status"])
            if (problem != "") print target " " body " " label ": " problem > "/dev/stderr"
            rps = v["requests"] / (v["duration_us"] / 1e6)
            cpu = (user_ticks + sys_ticks) / hz
            tick_us = v["requests"] ? 1e6 / hz / v["requests"] : 0   # one tick, per request, in us
            split(jvm_start, j0, " "); split(jvm_end, j1, " ")
            jit = ticks_ms(j0[1], j1[1]); gc = ticks_ms(j0[2], j1[2])
            printf "%s\t%s\t%s\t%.0f\t%s\t%s\t%s\t%s\t%d\t%.0f\t%.1f\t%s\t%.1f\t%.1f\t%s\t%s\t%s\n", label, target, body, rps,
                v["p50_us"], v["p99_us"], v["p999_us"], v["max_us"], errors,
                100 * cpu / (wall_ns / 1e9), (user_ticks + sys_ticks) * tick_us, problem == "" ? "ok" : "FAILED",
                user_ticks * tick_us, sys_ticks * tick_us, (load_all > 0 ? sprintf("%.0f", 100 * load_busy / load_all) : "-"),
                jit, gc
        }')"
    if [[ "$(cut -f12 <<<"$row")" != ok ]]; then
        FAILURES=$(( FAILURES + 1 ))
    fi
    [[ "$label" != r[0-9]* ]] || printf '%s\n' "$row" >>"$TSV"
    log "$(awk -F'\t' '{printf "%-8s %-3s %-9s %8s req/s  p50 %6.2f ms  p99 %6.2f ms  p99.9 %6.2f ms  errors %s  cpu %s%% %s us/req  wrk+origin cores %s%%  jit/gc %s/%s ms  load %s",
        $1, $3, $2, $4, $5/1000, $6/1000, $7/1000, $9, $10, $11, $15, $16, $17, $18}' <<<"$row"$'\t'"$(cut -d' ' -f1 /proc/loadavg)")"
}

for body in $BODIES; do
    for target in $TARGETS; do
        [[ "$target" == mesos-lb* ]] && d="$WARMUP" || d=2s
        bench warmup "$target" "$body" "$d"
    done
done
# An edge takes new connections all the time; a round takes 64 at its start. Without this warm-up
# mesos-lb's connection set-up is still interpreted or C1 code when a round opens its 64 connections
# (a few hundred set-ups by then): their first requests took up to 31 ms against nginx's 5 (README.md,
# "New connections: the cold set-up"). Every target gets it.
WRK_EXTRA=(-H "Connection: close")
for target in $TARGETS; do
    [[ "$target" == mesos-lb* ]] && d="$CHURN_WARMUP" || d=2s
    bench warmup-churn "$target" "${BODIES%% *}" "$d"
done
# Every measured run ends with wrk closing its 64 idle keep-alive connections at once, then mesos-lb idles while the
# others run, and the next run switches body. C2 compiled mesos-lb's event loop from profiles in which none of that had
# happened: at the first such end it threw the code away ("unstable_if" traps in EpollIoHandler.run, channelInactive,
# the pool's take-back; "class_check" in runAllTasks as new kinds of task came) and compiled it again during the next
# measured run, on the proxy's core: up to 200 ms of compiling in a run (EpollIoHandler.run alone took 467 ms of wall
# time beside the loop), and p99 up to 1.9x nginx's. So the settling rounds are short rounds of the same shape as the
# measured ones, every target in turn. An edge sees clients come, go and idle all the time: this is the steady state
# the benchmark is for (README.md, "The p99 and the JIT").
WRK_EXTRA=()
settling() { bench "settle${1#r}" "$2" "$3" "$SETTLE"; }
ROUNDS="$SETTLE_ROUNDS" interleaved_rounds "$BODIES" settling
# CLOSE_EACH=1: every measured request on a connection of its own, so req/s is new connections a second and CPU per
# request the cost of one (accept, set-up, the exchange, close).
WRK_EXTRA=()
[[ "${CLOSE_EACH:-0}" != 1 ]] || WRK_EXTRA=(-H "Connection: close")

measured() { bench "$1" "$2" "$3" "$DURATION"; }
interleaved_rounds "$BODIES" measured

if [[ "$PROFILE" == 1 ]]; then
    [[ -n "${PID_OF[mesos-lb]:-}" ]] || die "PROFILE=1 needs the mesos-lb target"
    lb="${PID_OF[mesos-lb]}"
    log "profiling mesos-lb with JFR for $PROFILE_DURATION ($PROFILE_BODY body)"
    # method-profiling=max: Java stacks every 1 ms instead of 10 ms.
    jcmd "$lb" JFR.start name=loadbench settings=profile method-profiling=max \
        filename="$RESULTS/mesos-lb.jfr" >"$RESULTS/jfr-start.txt"
    bench profile-jfr mesos-lb "$PROFILE_BODY" "$PROFILE_DURATION"
    jcmd "$lb" JFR.stop name=loadbench >"$RESULTS/jfr-stop.txt"
    "$HERE/jfr-top.sh" "$RESULTS/mesos-lb.jfr" >"$RESULTS/profile-jfr.txt"
    log "JFR summary in $RESULTS/profile-jfr.txt"
    if command -v perf >/dev/null; then
        # perf sees the kernel side too, which JFR does not: most of a proxy's time is there.
        log "profiling mesos-lb with perf for $PROFILE_DURATION ($PROFILE_BODY body)"
        perf record -e cpu-clock -F 999 -g -p "$lb" -o "$RESULTS/perf.data" 2>"$RUN_DIR/perf.log" &
        perf_pid=$!
        PIDS+=("$perf_pid")
        bench profile-perf mesos-lb "$PROFILE_BODY" "$PROFILE_DURATION"
        kill -INT "$perf_pid"
        wait "$perf_pid" || true
        forget "$perf_pid"
        # Names the JIT-compiled frames; written to /tmp/perf-<pid>.map, removed once reported.
        PERF_MAP="/tmp/perf-$lb.map"
        jcmd "$lb" Compiler.perfmap >/dev/null
        "$HERE/perf-top.sh" "$RESULTS/perf.data" >"$RESULTS/profile-perf.txt"
        # For a later "perf report": copy it back to /tmp/perf-<pid>.map first.
        cp "$PERF_MAP" "$RESULTS/perf-$lb.map"
        log "perf summary in $RESULTS/profile-perf.txt"
    fi
fi

# Syscalls per request, small body: strace slows every proxy down a lot, so only the counts mean
# anything, not the rates.
if [[ "$SYSCALLS" == 1 ]]; then
    command -v strace >/dev/null || die "strace not found on PATH"
    for body in $BODIES; do
        for target in $TARGETS; do
            [[ "$target" != direct ]] || continue
            pid="${PID_OF[$target]}"
            # nginx: its workers do the proxying, the master only waits.
            if [[ "$target" == nginx ]]; then
                traced="$(ps -o pid= --ppid "$pid" | tr -s ' \n' ' ')"
            else
                traced="$pid"
            fi
            strace_args=()
            for p in $traced; do strace_args+=(-p "$p"); done
            counts="$RESULTS/syscalls-$body-$target.strace"
            strace -f -c -o "$counts" "${strace_args[@]}" 2>"$RUN_DIR/strace-$target.log" &
            strace_pid=$!
            PIDS+=("$strace_pid")
            deadline=$(( SECONDS + 10 ))
            until grep -q "^TracerPid:[[:space:]]*$strace_pid$" "/proc/${traced%% *}/status"; do
                (( SECONDS < deadline )) || die "strace did not attach to $target"
                sleep 0.1
            done
            bench syscalls "$target" "$body" 3s
            kill -INT "$strace_pid"
            wait "$strace_pid" || true
            forget "$strace_pid"
            requests="$(grep -o 'requests=[0-9]*' "$RESULTS/syscalls-$body-$target.txt" | cut -d= -f2)"
            # strace 6 columns: % time, seconds, usecs/call, calls, [errors], syscall (or "total").
            awk -v what="$target $body" -v n="$requests" '
                $1 ~ /^[0-9.]+$/ && $NF != "total" { printf "%-15s %-14s %8.2f per request\n", what, $NF, $4 / n }' \
                "$counts" | sort -k4 -rn | sed -n 1,8p >>"$RESULTS/syscalls.txt"
            awk -v what="$target $body" -v n="$requests" '
                $NF == "total" { printf "%-15s %-14s %8.2f per request\n\n", what, "TOTAL", $4 / n }' \
                "$counts" >>"$RESULTS/syscalls.txt"
        done
    done
fi

[[ ! -f "$RESULTS/syscalls.txt" ]] || cat "$RESULTS/syscalls.txt" >&2
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$RESULTS/env.txt"

# ------------------------------------------------------------------ report

# Median over rounds of each column, per target and body, then ratios to nginx and to direct.
table() {
    awk -F'\t' -v targets="$TARGETS" -v bodies="$BODIES" "$AWK_MEDIAN"'
        NR > 1 {
            k = $2 SUBSEP $3
            rps[k] = rps[k] " " $4; p50[k] = p50[k] " " $5; p99[k] = p99[k] " " $6
            p999[k] = p999[k] " " $7; cpu[k] = cpu[k] " " $10; cpr[k] = cpr[k] " " $11
            usr[k] = usr[k] " " $13; sys[k] = sys[k] " " $14; lc[k] = lc[k] " " $15
            jit[k] = jit[k] " " $16; gc[k] = gc[k] " " $17
            err[k] += $9
            if ($12 != "ok") bad[k] = 1
        }
        END {
            print "| target | body | req/s | p50 ms | p99 ms | p99.9 ms | vs nginx | vs direct | proxy CPU % | proxy CPU us/req (user+sys) | wrk+origin cores % | JIT (worst round) / GC CPU ms | errors |"
            print "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---:|"
            nb = split(bodies, B, " "); nt = split(targets, T, " ")
            for (b = 1; b <= nb; b++) {
                rates(B[b], T, nt)
                for (t = 1; t <= nt; t++) {
                    k = T[t] SUBSEP B[b]
                    if (!(k in rps)) continue
                    bounds(jit[k], jb)
                    printf "| %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %d%s |\n", T[t], B[b], r[k],
                        ms(median(p50[k])), ms(median(p99[k])), ms(median(p999[k])),
                        ratio(k, "nginx" SUBSEP B[b]), ratio(k, "direct" SUBSEP B[b]),
                        proxy_cpu(T[t] == "direct", cpu[k], cpr[k], usr[k], sys[k]),
                        (lc[k] ~ /[0-9]/ ? sprintf("%.0f", median(lc[k])) : "-"),
                        (jit[k] ~ /[0-9]/ ? sprintf("%.0f (%.0f) / %.0f", median(jit[k]), jb["hi"], median(gc[k])) : "-"), err[k], (k in bad) ? " FAILED" : ""
                }
            }
        }' "$TSV"
}

{
    report_head "mesos-lb load comparison"
    table
    echo
    echo "Medians over $ROUNDS round(s) of ${DURATION} wrk runs, $CONNECTIONS connections. \"proxy CPU\" is the"
    echo "proxy's own CPU time (all processes/threads) during the run; for direct it does not apply."
    echo "\"wrk+origin cores\" is how busy the CPUs of LOADGEN_CPUS and BACKEND_CPUS were: near 100, they and not"
    echo "the proxy set the rate (README.md, \"What throughput measures on two cores\"). \"JIT / GC CPU\" is what a JVM's"
    echo "compiler and GC threads ran during a run: the median, the worst round in brackets (README.md, \"The p99 and"
    if [[ -z "$JVM_HELPER_CPUS" ]]; then
        echo "the JIT\"). They ran on the proxy's core."
    else
        echo "the JIT\"). They ran on CPUs $JVM_HELPER_CPUS (JVM_HELPER_CPUS), not the proxy's core, and count in"
        echo "\"wrk+origin cores\" too where those are the same CPUs."
    fi
} >"$RESULTS/table.md"
cat "$RESULTS/table.md"

if (( FAILURES > 0 )); then
    die "$FAILURES wrk run(s) had socket errors, non-2xx responses or wrong-sized bodies (see above and $RESULTS)"
fi
log "OK: no socket errors, no non-2xx responses"

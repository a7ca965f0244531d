# Shared by run.sh (HTTP/1), run-h2.sh (HTTP/2) and run-tcp.sh (TCP service ports): sourced, not
# run. The sourcing script sets HERE and ROOT first, then RESULTS, and LOG_TAG if it wants its own
# log prefix.
# shellcheck shell=bash

# quick_or_usage "$@": --quick sets the smoke-test defaults; any other argument prints the
# script's header comment and exits 2.
quick_or_usage() {
    if [[ "${1:-}" == "--quick" ]]; then
        : "${DURATION:=2s}" "${ROUNDS:=1}" "${WARMUP:=2s}" "${CHURN_WARMUP:=2s}" "${SETTLE_ROUNDS:=1}" "${SETTLE:=1s}"
    elif [[ -n "${1:-}" ]]; then
        sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
        exit 2
    fi
}

JAR="${MESOS_LB_JAR:-$ROOT/lb-server/target/mesos-lb.jar}"
# The packaged launcher's JVM flags (chosen by measurement, see README.md, "JVM flags"), as it gives them on
# this machine: benchmarks/launcher-flags.sh asks the launcher itself.
launcher_jvm_flags() {
    sh "$ROOT/benchmarks/launcher-flags.sh" || { echo "cannot read the launcher's JVM flags" >&2; exit 1; }
}
JVM_OPTS="${JVM_OPTS:-$(launcher_jvm_flags)}"
MESOS_LB_ARGS="${MESOS_LB_ARGS:-}"     # extra flags, e.g. --force-nio
WORKERS="${WORKERS:-1}"                # event loops / worker processes / threads of every proxy
ORIGIN_WORKERS="${ORIGIN_WORKERS:-1}"  # worker processes of the nginx origin (run.sh, run-h2.sh)
READY_TIMEOUT="${READY_TIMEOUT:-30}"   # seconds each server gets to answer
# Percent of one core each proxy may use (a cgroup CPU quota over 10 ms periods; empty: no quota). On two cores the
# origin and the load generator share one and saturate it first, so without a quota a proxy's throughput says how
# cheaply it lets them run; with one, each proxy is the bottleneck (see README.md, "What throughput measures on two
# cores").
PROXY_CPU_QUOTA="${PROXY_CPU_QUOTA:-}"

NCPU="$(nproc)"
if (( NCPU > 1 )); then
    PROXY_CPUS="${PROXY_CPUS:-0}"      # every proxy in turn (only one is loaded at a time)
    BACKEND_CPUS="${BACKEND_CPUS:-1}"  # the origin shares the load generator's core, see README.md
    LOADGEN_CPUS="${LOADGEN_CPUS:-1}"
else
    PROXY_CPUS="" BACKEND_CPUS="" LOADGEN_CPUS=""
fi

log() { printf '[%s %s] %s\n' "${LOG_TAG:-load}" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }
seconds() { local d="${1%s}"; [[ "$d" =~ ^[0-9]+$ ]] || die "durations are whole seconds: $1"; echo "$d"; }

# pin <cpus>: sets PIN to the command prefix that runs a program on those CPUs. A prefix rather
# than a wrapper function, so that "${PIN[@]}" prog & gives the program's own pid in $!
# (taskset execs it).
pin() {
    PIN=()
    [[ -z "$1" ]] || PIN=(taskset -c "$1")
}

require_tools() { # require_tools <tool...>: each on PATH, and the mesos-lb jar built
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || die "$tool not found on PATH"
    done
    [[ -f "$JAR" ]] || die "$JAR missing: build it with 'mvn -B -q -DskipTests package' in $ROOT"
}

# ------------------------------------------------------------------ processes and cleanup

RUN_DIR="$(mktemp -d /tmp/mesos-lb-load.XXXXXX)"
declare -a PIDS=()
declare -A PID_OF=()

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    local i pid
    [[ -z "${WRK_PID:-}" ]] || kill -TERM "$WRK_PID" 2>/dev/null || true
    for (( i=${#PIDS[@]}-1; i>=0; i-- )); do
        pid="${PIDS[$i]}"
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        # Bounded: anything still there after 15s is killed outright.
        for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [[ -d "${RESULTS:-}" ]]; then
        mkdir -p "$RESULTS/logs"
        cp "$RUN_DIR"/*.log "$RUN_DIR"/*.conf "$RUN_DIR"/*.cfg "$RUN_DIR"/*.json "$RESULTS/logs/" 2>/dev/null || true
    fi
    rm -rf "$RUN_DIR" ${PERF_MAP:+"$PERF_MAP"}
    [[ -z "${QUOTA_GROUP:-}" ]] || rmdir "$QUOTA_GROUP" 2>/dev/null || true
    exit "$status"
}
trap cleanup EXIT
trap 'log "FAIL: line $LINENO: $BASH_COMMAND"' ERR
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

start() { # start <name> <cpus> <command...>: background process, stdout+stderr to <name>.log
    local name="$1" cpus="$2"; shift 2
    pin "$cpus"
    "${PIN[@]}" "$@" >"$RUN_DIR/$name.log" 2>&1 &
    PIDS+=("$!")
    PID_OF[$name]="$!"
}

# quota_group: makes the cgroup that limits the proxies to PROXY_CPU_QUOTA percent of one core (cgroup v2's
# cpu.max, or v1's CFS quota) and sets QUOTA_PROCS to the file a process joins it by. Its period is 10 ms rather than
# the kernel's 100: a proxy that has used its share waits at most the rest of one period.
quota_group() {
    local period=10000 quota
    [[ "$PROXY_CPU_QUOTA" =~ ^[0-9]+$ ]] && (( PROXY_CPU_QUOTA > 0 )) || die "PROXY_CPU_QUOTA is a whole percent: $PROXY_CPU_QUOTA"
    quota=$(( period * PROXY_CPU_QUOTA / 100 ))
    if [[ -w /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]]; then
        QUOTA_GROUP="/sys/fs/cgroup/cpu/mesos-lb-load.$$"
        mkdir "$QUOTA_GROUP" || die "cannot make $QUOTA_GROUP"
        echo "$period" >"$QUOTA_GROUP/cpu.cfs_period_us" && echo "$quota" >"$QUOTA_GROUP/cpu.cfs_quota_us" \
            || die "cannot set the CPU quota of $QUOTA_GROUP"
    elif grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
        QUOTA_GROUP="/sys/fs/cgroup/mesos-lb-load.$$"
        grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control || echo +cpu >/sys/fs/cgroup/cgroup.subtree_control \
            || die "cannot enable the cpu controller for child cgroups of /sys/fs/cgroup"
        mkdir "$QUOTA_GROUP" || die "cannot make $QUOTA_GROUP"
        echo "$quota $period" >"$QUOTA_GROUP/cpu.max" || die "cannot set the CPU quota of $QUOTA_GROUP"
    else
        die "PROXY_CPU_QUOTA needs a writable cgroup cpu controller (v1 /sys/fs/cgroup/cpu or v2 /sys/fs/cgroup)"
    fi
    QUOTA_PROCS="$QUOTA_GROUP/cgroup.procs"
}

start_proxy() { # start_proxy <name> <command...>: start on PROXY_CPUS, within PROXY_CPU_QUOTA when it is set
    local name="$1"; shift
    if [[ -z "$PROXY_CPU_QUOTA" ]]; then
        start "$name" "$PROXY_CPUS" "$@"
        return
    fi
    [[ -n "${QUOTA_PROCS:-}" ]] || quota_group
    # Joins the group before it execs the proxy, so every process and thread the proxy makes is in it; exec keeps
    # the pid that start records.
    # shellcheck disable=SC2016 # expanded by the inner shell
    start "$name" "$PROXY_CPUS" sh -c 'echo $$ >"$0" && exec "$@"' "$QUOTA_PROCS" "$@"
}

forget() { # forget <pid>: a helper that has been waited for; its pid may be reused, never signal it
    local i
    for i in "${!PIDS[@]}"; do
        [[ "${PIDS[$i]}" != "$1" ]] || unset 'PIDS[i]'
    done
    PIDS=("${PIDS[@]}")
}

all_alive() { # dies naming the first server the script started that has exited
    local name
    for name in "${!PID_OF[@]}"; do
        kill -0 "${PID_OF[$name]}" 2>/dev/null || die "$name exited; see $RESULTS/logs/$name.log"
    done
}

free_port() {
    # Below the ephemeral range, so no outgoing connection can be holding the port; and nothing
    # bound to it in any state.
    local low port
    low="$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)"
    for _ in $(seq 200); do
        port=$(( 10000 + RANDOM % (low - 10000) ))
        if [[ -z "$(ss -Htan "sport = :$port")" && " ${USED_PORTS:-} " != *" $port "* ]]; then
            USED_PORTS="${USED_PORTS:-} $port"
            echo "$port"
            return
        fi
    done
    die "no free port found"
}

# User and system CPU ticks ("<user> <system>") of a process and its children (nginx workers).
cpu_ticks() {
    local pid="$1" user=0 system=0 p fields u s
    for p in "$pid" $(ps -o pid= --ppid "$pid" 2>/dev/null); do
        [[ -r "/proc/$p/stat" ]] || continue
        # Fields after the ")" of the command name: utime and stime are the 12th and 13th.
        fields="$(sed 's/^.*) //' "/proc/$p/stat")"
        read -r u s < <(awk '{print $12, $13}' <<<"$fields")
        user=$(( user + u )) system=$(( system + s ))
    done
    echo "$user $system"
}

# jvm_ticks <pid>: "<jit> <gc>" CPU ticks (user + system) of a JVM's compiler threads and of its GC threads, "- -" for
# a process that has none (nginx, HAProxy): a measured run in which the JIT still compiles shares the proxy's core with
# it, which shows in p99 first (README.md, "The p99 and the JIT").
jvm_ticks() {
    local t
    for t in /proc/"$1"/task/*; do
        printf '%s\t%s\n' "$(cat "$t/comm" 2>/dev/null)" "$(sed 's/^.*) //' "$t/stat" 2>/dev/null)"
    done | awk -F'\t' '
        { split($2, f, " "); ticks = f[12] + f[13] }
        $1 ~ /^C[12] CompilerThre/ { jit += ticks; java = 1 }
        $1 ~ /^GC Thread/ { gc += ticks; java = 1 }
        END { if (java) printf "%d %d\n", jit, gc; else print "- -" }'
}

# pin_jvm_helpers <pid> <cpus>: moves every thread of a JVM but its proxy event loops (mesos-lb-io-*) to <cpus>, so
# that its compiler and GC threads stop sharing the loops' core, as they would not on a balancer with cores to spare.
# The loops keep PROXY_CPUS. Threads made later inherit the affinity of the thread that makes them. A thread that ends
# meanwhile (the JVM retires idle compiler threads) is no error.
pin_jvm_helpers() {
    local t name
    for t in /proc/"$1"/task/*; do
        name="$(cat "$t/comm" 2>/dev/null)" || continue
        [[ "$name" == mesos-lb-io-* ]] && continue
        taskset -p -c "$2" "${t##*/}" >/dev/null 2>&1 || [[ ! -e "$t" ]] \
            || die "cannot move thread ${t##*/} ($name) of $1 to CPUs $2"
    done
}

# cores_ticks <cpu list...>: "<busy> <total>" jiffies of those CPUs from /proc/stat (taskset lists: 1, 4-7, 0,2;
# the same CPU named twice counts once), "0 0" when none is named.
cores_ticks() {
    local -A seen=()
    local part lo hi c
    for part in $(tr ',' ' ' <<<"$*"); do
        lo="${part%-*}" hi="${part#*-}"
        for (( c=lo; c<=hi; c++ )); do seen[$c]=1; done
    done
    (( ${#seen[@]} > 0 )) || { echo "0 0"; return; }
    awk -v cpus="${!seen[*]}" 'BEGIN { n = split(cpus, c, " "); for (i = 1; i <= n; i++) want["cpu" c[i]] = 1 }
        $1 in want { total = 0; for (i = 2; i <= 9; i++) total += $i; busy += total - $5 - $6; all += total }
        END { printf "%d %d\n", busy, all }' /proc/stat
}

# interleaved_rounds <items> <command>: ROUNDS rounds; in each, for each of <items>, runs
# <command> r<round> <target> <item> for every target in TARGETS, in an order that rotates every
# round so no target always runs first or after the same one.
interleaved_rounds() {
    local items="$1" command="$2" round item i
    local -a targets
    read -r -a targets <<<"$TARGETS"
    for (( round=1; round<=ROUNDS; round++ )); do
        for item in $items; do
            for (( i=0; i<${#targets[@]}; i++ )); do
                "$command" "r$round" "${targets[$(( (i + round - 1) % ${#targets[@]} ))]}" "$item"
            done
        done
    done
}

# mesos_lb_variant <target>: sets LB_OPTS, LB_JAR and LB_ARGS for mesos-lb or mesos-lb-<variant>,
# which runs with $JVM_OPTS_<variant>, $MESOS_LB_JAR_<variant> and $MESOS_LB_ARGS_<variant> when
# set, to compare JVM settings, builds or flags side by side, interleaved like everything else.
mesos_lb_variant() {
    local target="$1" var
    LB_OPTS="$JVM_OPTS" LB_JAR="$JAR" LB_ARGS="$MESOS_LB_ARGS"
    # Lets perf walk Java stacks; costs a little, so profiled runs are not headline runs.
    [[ "${PROFILE:-0}" != 1 ]] || LB_OPTS="$LB_OPTS -XX:+PreserveFramePointer"
    if [[ "$target" == mesos-lb-* ]]; then
        var="JVM_OPTS_${target#mesos-lb-}"; var="${var//-/_}"
        LB_OPTS="${!var:-$LB_OPTS}"
        var="MESOS_LB_JAR_${target#mesos-lb-}"; var="${var//-/_}"
        LB_JAR="${!var:-$JAR}"
        [[ -f "$LB_JAR" ]] || die "$var: $LB_JAR missing"
        var="MESOS_LB_ARGS_${target#mesos-lb-}"; var="${var//-/_}"
        LB_ARGS="${!var:-$MESOS_LB_ARGS}"
    fi
}

env_header() { # the lines every results/<run>/env.txt starts with
    echo "date: $(date -Is)"
    echo "host: nproc=$NCPU, $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
    echo "java: $(java -version 2>&1 | sed -n 2p)"
    echo "haproxy: $(haproxy -v | sed -n '1s/ - .*//p')"
}

# awk functions for the report tables: median and bounds of " "-separated lists (mawk has no asort), and the
# cells of the HTTP tables, read from the arrays rps (the rates of each target and group) and r.
AWK_MEDIAN='
function median(list,   a, n, i, j, x) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) {   # insertion sort: n is tiny
        x = a[i] + 0
        for (j = i - 1; j >= 1 && a[j] + 0 > x; j--) a[j + 1] = a[j]
        a[j + 1] = x
    }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
# bounds(list, b): b["lo"] and b["hi"], the smallest and largest of a " "-separated list.
function bounds(list, b,   a, n, i) {
    n = split(list, a, " "); b["lo"] = b["hi"] = a[1] + 0
    for (i = 2; i <= n; i++) { if (a[i] + 0 < b["lo"]) b["lo"] = a[i] + 0; if (a[i] + 0 > b["hi"]) b["hi"] = a[i] + 0 }
}
function ms(us) { return sprintf("%.2f", us / 1000) }
# rates(g, T, nt): r[<target> SUBSEP g] = the median of rps[<target> SUBSEP g], for the nt targets in T.
function rates(g, T, nt,   t, k) {
    for (t = 1; t <= nt; t++) { k = T[t] SUBSEP g; if (k in rps) r[k] = median(rps[k]) }
}
# ratio(k, other): the median rate of k over that of other, "-" if other did not run.
function ratio(k, other) { return (other in r && r[other] > 0) ? sprintf("%.2f", r[k] / r[other]) : "-" }
# proxy_cpu(direct, cpu, cpr, usr, sys): the two proxy CPU cells of a report row, from the lists
# of CPU %, and us per request in all, user and system; "-" for the origin itself.
function proxy_cpu(direct, cpu, cpr, usr, sys) {
    if (direct) return "- | -"
    return sprintf("%.0f | %.1f (%.1f+%.1f)", median(cpu), median(cpr), median(usr), median(sys))
}'

# report_head <title>: the start of a results/<run>/table.md.
report_head() {
    echo "# $1, $(date -I)"
    echo
    sed 's/^/    /' "$RESULTS/env.txt"
    echo
}

# ------------------------------------------------------------------ the HTTP origin (run.sh, run-h2.sh)

SMALL_BODY=$'hello, world\n'
declare -A BODY_PATH=([small]=/hello.txt [64k]=/64k.bin)
declare -A BODY_SIZE=([small]=${#SMALL_BODY} [64k]=65536)

# http_setup: the origin's two bodies in $RUN_DIR/www, and the settings render_http fills in; needs
# RESULTS, DOMAIN and NGINX_BUFFERING.
http_setup() {
    mkdir -p "$RESULTS" "$RUN_DIR/www" "$RUN_DIR/backend-tmp" "$RUN_DIR/proxy-tmp"
    # nginx started as root hands its workers to an unprivileged user, which must read the files.
    chmod 755 "$RUN_DIR"
    if [[ "$(id -u)" == 0 ]]; then USER_DIRECTIVE="user nobody nogroup;"; else USER_DIRECTIVE=""; fi
    case "$NGINX_BUFFERING" in
        on) NGINX_BUFFERING_DIRECTIVES="proxy_buffering on; proxy_buffers 16 8k; proxy_busy_buffers_size 64k; proxy_max_temp_file_size 0;" ;;
        off) NGINX_BUFFERING_DIRECTIVES="proxy_buffering off; proxy_buffer_size 64k; proxy_buffers 4 64k; proxy_busy_buffers_size 128k;" ;;
        *) die "NGINX_BUFFERING must be on or off" ;;
    esac
    printf '%s' "$SMALL_BODY" >"$RUN_DIR/www/hello.txt"
    head -c 65536 /dev/urandom >"$RUN_DIR/www/64k.bin"
    chmod 644 "$RUN_DIR/www/"*
}

# http_configure: a port for the origin and for each target of TARGETS (PORT[direct] is the origin's),
# and the origin's and proxies' configs rendered (run.sh, new-connections.sh); after http_setup.
http_configure() {
    local target
    BACKEND_PORT="$(free_port)"
    declare -gA PORT=([direct]=$BACKEND_PORT)
    for target in $TARGETS; do
        case "$target" in
            direct) ;;
            nginx | haproxy | mesos-lb | mesos-lb-*) PORT[$target]="$(free_port)" ;;
            *) die "unknown target $target (direct, mesos-lb, mesos-lb-<variant>, nginx, haproxy)" ;;
        esac
    done
    PORT[nginx]="${PORT[nginx]:-0}" PORT[haproxy]="${PORT[haproxy]:-0}"
    render_http "$HERE/conf/backend-nginx.conf" "$RUN_DIR/backend-nginx.conf"
    render_http "$HERE/conf/proxy-nginx.conf" "$RUN_DIR/proxy-nginx.conf" "${PORT[nginx]}"
    render_http "$HERE/conf/proxy-haproxy.cfg" "$RUN_DIR/proxy-haproxy.cfg" "${PORT[haproxy]}"
    render_http "$HERE/conf/routes.json" "$RUN_DIR/routes.json"
}

# http_start: the origin, then every target of TARGETS on its port, as http_configure set them up
# (HTTP/1, Host routing, keep-alive to the origin); each mesos-lb variant's command line goes to env.txt.
http_start() {
    local target
    log "origin nginx on port $BACKEND_PORT"
    start backend "$BACKEND_CPUS" nginx -p "$RUN_DIR" -e "$RUN_DIR/backend-nginx.error.log" -c "$RUN_DIR/backend-nginx.conf"
    for target in $TARGETS; do
        case "$target" in
            nginx) start_proxy nginx nginx -p "$RUN_DIR" -e "$RUN_DIR/proxy-nginx.error.log" -c "$RUN_DIR/proxy-nginx.conf" ;;
            haproxy) start_proxy haproxy haproxy -db -f "$RUN_DIR/proxy-haproxy.cfg" ;;
            mesos-lb*)
                mesos_lb_variant "$target"
                echo "$target: $LB_OPTS $LB_JAR $LB_ARGS" >>"$RESULTS/env.txt"
                # shellcheck disable=SC2086 # opts and args are word lists
                start_proxy "$target" java $LB_OPTS -jar "$LB_JAR" \
                    --listen-host 127.0.0.1 --listen-port "${PORT[$target]}" --domain "$DOMAIN" \
                    --routes-file "$RUN_DIR/routes.json" --worker-threads "$WORKERS" --max-idle-per-backend 64 \
                    --admin-port -1 --access-log=false $LB_ARGS
                ;;
        esac
        [[ "$target" == direct ]] || log "$target on port ${PORT[$target]}"
    done
    PID_OF[direct]="${PID_OF[backend]}"
}

render_http() { # render_http <template> <output> [<listen port>]: fill in @@NAME@@ placeholders
    sed -e "s|@@RUN_DIR@@|$RUN_DIR|g" \
        -e "s|@@BACKEND_PORT@@|$BACKEND_PORT|g" \
        -e "s|@@PORT@@|${3:-}|g" \
        -e "s|@@WORKERS@@|$WORKERS|g" \
        -e "s|@@ORIGIN_WORKERS@@|$ORIGIN_WORKERS|g" \
        -e "s|@@DOMAIN@@|$DOMAIN|g" \
        -e "s|@@USER_DIRECTIVE@@|$USER_DIRECTIVE|g" \
        -e "s|@@NGINX_BUFFERING@@|$NGINX_BUFFERING_DIRECTIVES|g" \
        "$1" >"$2"
}

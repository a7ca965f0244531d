#!/usr/bin/env bash
# Bytes allocated per request by the proxy (ExchangeAllocationBenchmark, JMH -prof gc) for one or
# several builds side by side, each build being a benchmarks.jar (which shades the lb-server it was
# built with), and the ratio of each to the first:
#
#   benchmarks/alloc.sh before=/path/to/old/benchmarks.jar after=benchmarks/target/benchmarks.jar
#
# Make a "before" jar with benchmarks/jar-at.sh <commit> <out.jar>.
# B/request is the jar's proxy gc.alloc.rate.norm minus its driverOnly one (the driver and the in-VM
# origin, about 0) for the same exchange. ns/op is printed as a side note: it depends on the machine's
# load; B/request does not.
#
# With the JIT's escape analysis on (as in production) B/request moves between JVMs by up to about
# 100 bytes (about 3%): C2 removes a short-lived object in some forks and not in others. ROUNDS > 1
# averages that out; EXACT=1 turns escape analysis off (-XX:-DoEscapeAnalysis), which counts every
# object the code allocates, the same to a few bytes in every fork, but also those the JIT would remove.
#
# EXCHANGES (default GET,POST4K,CHUNKED,CHUNKED_POST), OBSERVE (default metrics,none), ROUNDS (default 1: every jar
# once per round, in the order given; the table averages the rounds), EXACT (default 0), JMH_ARGS (more JMH options, e.g.
# "-wi 2 -w 1s -i 2" for a smoke run, or "-jvmArgsAppend -Dio.netty.leakDetection.level=paranoid"
# for a leak check, after which grep the logs for LEAK), OUT (results and logs; a new temporary
# directory by default).
set -euo pipefail
[[ $# -gt 0 && "$1" == *=* ]] || { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 2; }
EXCHANGES="${EXCHANGES:-GET,POST4K,CHUNKED,CHUNKED_POST}"
OBSERVE="${OBSERVE:-metrics,none}"
ROUNDS="${ROUNDS:-1}"
EXACT_ARGS=()
[[ "${EXACT:-0}" != 1 ]] || EXACT_ARGS=(-jvmArgs -XX:-DoEscapeAnalysis)
OUT="${OUT:-$(mktemp -d /tmp/mesos-lb-alloc.XXXXXX)}"
mkdir -p "$OUT"
names=()
for spec in "$@"; do
    name="${spec%%=*}"; jar="${spec#*=}"
    [[ "$name" =~ ^[A-Za-z0-9_.-]+$ ]] || { echo "a build's name is letters, digits, . _ -: $name" >&2; exit 2; }
    [[ -f "$jar" ]] || { echo "$name: no such jar: $jar" >&2; exit 2; }
    names+=("$name")
done
for round in $(seq 1 "$ROUNDS"); do
    for spec in "$@"; do
        name="${spec%%=*}"; jar="${spec#*=}"
        echo "== $name, round $round (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
        # shellcheck disable=SC2086 # JMH_ARGS is a list of options
        java -jar "$jar" 'ExchangeAllocationBenchmark\.' -prof gc -p exchange="$EXCHANGES" -p observe="$OBSERVE" \
            -rf csv -rff "$OUT/$name.$round.csv" "${EXACT_ARGS[@]}" ${JMH_ARGS:-} >"$OUT/$name.$round.log" 2>&1 \
            || { echo "$name: the run failed, see $OUT/$name.$round.log" >&2; exit 1; }
    done
done

# JMH's CSV: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit","Param: exchange","Param: observe"
awk -F, -v names="${names[*]}" -v exchanges="$EXCHANGES" -v observes="$OBSERVE" '
function unq(s) { gsub(/"/, "", s); return s }
{ sub(/\r$/, "") }
FNR == 1 { file = FILENAME; sub(/.*\//, "", file); sub(/\.[0-9]+\.csv$/, "", file); next }
{
    bench = unq($1); sub(/^.*ExchangeAllocationBenchmark\./, "", bench)   # proxy, proxy:gc.alloc.rate.norm, ...
    exch = unq($8); obs = unq($9)
    if (bench == "proxy" || bench == "driverOnly" || bench ~ /:gc\.alloc\.rate\.norm$/) {
        key = file SUBSEP bench SUBSEP exch SUBSEP (bench ~ /^driverOnly/ ? "" : obs)
        sum[key] += $5; n[key]++
    }
}
function mean(build, bench, exch, obs,   k) {
    k = build SUBSEP bench SUBSEP exch SUBSEP obs
    return (k in n) ? sum[k] / n[k] : ""
}
function num(v) { return v == "" ? "-" : sprintf("%.0f", v) }
END {
    nb = split(names, build, " "); ne = split(exchanges, ex, ","); no = split(observes, ob, ",")
    printf "B/request (proxy gc.alloc.rate.norm minus driverOnly, same jar)\n"
    printf "%-18s", "exchange/observe"
    for (b = 1; b <= nb; b++) printf "%12s", build[b]
    for (b = 2; b <= nb; b++) printf "%14s", build[b] "/" build[1]
    printf "\n"
    for (e = 1; e <= ne; e++) for (o = 1; o <= no; o++) {
        printf "%-18s", ex[e] "/" ob[o]
        for (b = 1; b <= nb; b++) {
            p = mean(build[b], "proxy:gc.alloc.rate.norm", ex[e], ob[o])
            d = mean(build[b], "driverOnly:gc.alloc.rate.norm", ex[e], "")
            v[b] = (p == "" || d == "") ? "" : p - d
            printf "%12s", num(v[b])
        }
        for (b = 2; b <= nb; b++) printf "%14s", (v[b] == "" || v[1] == "" || v[1] == 0) ? "-" : sprintf("%.2f", v[b] / v[1])
        printf "\n"
    }
    printf "\ndriverOnly B/op (the driver and origin alone; subtracted above)\n"
    for (e = 1; e <= ne; e++) {
        printf "%-18s", ex[e]
        for (b = 1; b <= nb; b++) printf "%12s", num(mean(build[b], "driverOnly:gc.alloc.rate.norm", ex[e], ""))
        printf "\n"
    }
    printf "\nns/op, side note (proxy, driver included; follows the machine'"'"'s load)\n"
    for (e = 1; e <= ne; e++) for (o = 1; o <= no; o++) {
        printf "%-18s", ex[e] "/" ob[o]
        for (b = 1; b <= nb; b++) printf "%12s", num(mean(build[b], "proxy", ex[e], ob[o]))
        printf "\n"
    }
}' "$OUT"/*.csv | tee "$OUT/table.txt"
echo "results and JMH logs in $OUT" >&2

#!/usr/bin/env bash
# jfr-top.sh <recording.jfr> [thread-name-prefix]
# Where the proxy's event-loop threads spend their samples: Java execution samples by top frame
# ("self") and by every method on the stack ("total", counted once per sample), native samples by
# top frame (epoll_wait is idle time, read/write/writev are I/O syscalls), GC pauses, and what the
# event loops allocate.
set -euo pipefail

file="${1:?usage: jfr-top.sh <recording.jfr> [thread-name-prefix]}"
prefix="${2:-mesos-lb-io-}"
top="${TOP:-30}"

summarize() { # summarize <event> <title>
    jfr print --events "$1" --stack-depth 128 "$file" | awk -v prefix="$prefix" -v top="$top" -v title="$2" '
        function flush(   m, seen) {
            if (thread != "" && index(thread, prefix) == 1 && nframes > 0) {
                samples++
                self[frames[1]]++
                for (i = 1; i <= nframes; i++) {
                    m = frames[i]
                    if (!(m in seen)) { seen[m] = 1; total[m]++ }
                }
            }
            delete seen
            thread = ""; nframes = 0; instack = 0
        }
        function report(arr, label,   k, n, i, j, keys, x) {
            n = 0
            for (k in arr) keys[++n] = k
            for (i = 2; i <= n; i++) {    # insertion sort by count, descending (mawk has no asort)
                x = keys[i]
                for (j = i - 1; j >= 1 && arr[keys[j]] < arr[x]; j--) keys[j + 1] = keys[j]
                keys[j + 1] = x
            }
            printf "\n%s (%s):\n", title, label
            for (i = 1; i <= n && i <= top; i++) printf "%6d %5.1f%%  %s\n", arr[keys[i]], 100 * arr[keys[i]] / samples, keys[i]
        }
        /^jdk\./ { flush() }
        /sampledThread = / { thread = $0; sub(/.*sampledThread = "/, "", thread); sub(/".*/, "", thread) }
        /stackTrace = \[/ { instack = 1; next }
        instack && /^ *\]/ { instack = 0; next }
        instack {
            m = $0
            sub(/^ +/, "", m); sub(/ +line: [0-9]+.*$/, "", m); sub(/\(.*\)$/, "", m)
            if (m != "...") frames[++nframes] = m
        }
        END {
            flush()
            printf "== %s: %d samples on threads %s*\n", title, samples, prefix
            if (samples == 0) exit
            report(self, "self, top frame")
            if (title ~ /Java/) report(total, "total, anywhere on the stack")
        }'
}

summarize jdk.ExecutionSample "Java execution samples"
echo
summarize jdk.NativeMethodSample "Native method samples"
echo
jfr print --events jdk.GarbageCollection "$file" | awk '
    /sumOfPauses/ { v = $3; u = $4; if (u == "ms") t += v; else if (u == "s") t += v * 1000; else if (u == "us") t += v / 1000; n++ }
    END { printf "GC: %d collections, %.1f ms total pause\n", n, t }'
command -v jq >/dev/null && jfr print --json --events jdk.ThreadAllocationStatistics "$file" | jq -r --arg p "$prefix" '
    [.recording.events[].values | select((.thread.javaName // "") | startswith($p)) | {t: .thread.javaName, a: .allocated}]
    | group_by(.t)[] | "Allocated on \(.[0].t) during the recording: \((map(.a) | max) - (map(.a) | min)) bytes"'
jfr print --events jdk.ObjectAllocationSample --stack-depth 1 "$file" | awk '
    /objectClass = / { c = $3 }
    /weight = / { w = $3; u = $4; if (u == "kB") w *= 1024; else if (u == "MB") w *= 1048576; bytes[c] += w; sum += w }
    END { for (c in bytes) printf "%12.0f kB %5.1f%%  %s\n", bytes[c] / 1024, 100 * bytes[c] / sum, c }' |
    sort -rn | sed -n '1i Allocation by class (JFR allocation samples: rough, one sample can carry a large weight):
1,15p'

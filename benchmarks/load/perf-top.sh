#!/usr/bin/env bash
# perf-top.sh <perf.data>: where a process's CPU time goes, kernel included, from a
# `perf record -g` of it (Java frames are named when /tmp/perf-<pid>.map exists, which
# `jcmd <pid> Compiler.perfmap` writes; call chains through Java need -XX:+PreserveFramePointer).
set -euo pipefail

data="${1:?usage: perf-top.sh <perf.data>}"
top="${TOP:-40}"

report() { # report <title> <perf report options...>
    local title="$1"; shift
    echo "== $title"
    perf report -i "$data" --stdio -g none "$@" 2>>"$data.report.log" | { grep -v -e '^#' -e '^$' || true; } | sed -n "1,${top}p"
    echo
}

report "threads" --no-children --sort comm
report "kernel / JIT-compiled Java / JVM / libc" --no-children --sort dso
report "self time by symbol" --no-children --sort sym
report "total time by symbol (self and callees)" --children --sort sym

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

# The frames behind the known hot-path costs of mesos-lb, whatever their rank.
keys="${KEYS:-setAutoRead|epollCtlMod0|IdleStateHandler.write|IdleStateHandler.channelRead|armResponseTimeout|cancelResponseTimeout|AbstractScheduledEventExecutor.schedule|ScheduledFutureTask.cancel|DefaultPromise.addListener|ResourceLeakDetector.track|HopByHopHeaders.strip|ForwardedHeaders.apply|HttpObjectDecoder.decode|HttpObjectEncoder.encode\\(|ProxyExchange.take|__x64_sys_(epoll_ctl|sendto|writev|recvfrom|epoll_pwait2?)\\b}"
echo "== selected frames, total time (self and callees)"
perf report -i "$data" --stdio -g none --children --sort sym 2>>"$data.report.log" |
    { grep -E "$keys" || true; } | sed -n "1,${top}p"

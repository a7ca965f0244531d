#!/usr/bin/env bash
# Builds the benchmarks jar of another commit (a "before" build for alloc.sh), with this checkout's
# exchange benchmark in it:
#
#   benchmarks/jar-at.sh <commit> <out.jar>
#
# Clones this repository into a temporary directory at <commit>, copies this checkout's
# ExchangeAllocationBenchmark and the classes it uses into it (so the old lb-server runs the same
# benchmark code), builds benchmarks and what it depends on offline (mvn -o package -DskipTests; nothing
# is installed in ~/.m2, the jar shades the clone's own lb-server) and copies
# benchmarks/target/benchmarks.jar to <out.jar>. The benchmark needs the constructors it calls
# (ClientChannelInitializer, BackendPools, Transport, ProxyOps, ...) to exist at <commit>; an older
# commit whose are different fails to compile, and then needs the benchmark adapted by hand.
set -euo pipefail
[[ $# -eq 2 ]] || { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 2; }
COMMIT="$1"
OUT="$(realpath -m "$2")"
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
# The benchmark and every class of its own it uses.
FILES="ExchangeAllocationBenchmark ExchangeDriver CannedExchange CannedOrigin OriginStats InVmSocketChannel
       InVmSocketConfig PassThrough EventLoopThreads ExchangeCpuTime"
SRC=benchmarks/src/main/java/io/mesoslb/bench

TMP="$(mktemp -d /tmp/mesos-lb-jar-at.XXXXXX)"
trap 'rm -rf "$TMP"' EXIT
git clone -q "$ROOT" "$TMP/repo"
git -C "$TMP/repo" -c advice.detachedHead=false checkout -q "$COMMIT"
for f in $FILES; do
    cp "$ROOT/$SRC/$f.java" "$TMP/repo/$SRC/$f.java"
done
(cd "$TMP/repo" && mvn -B -o -q -DskipTests -pl benchmarks -am package)
mkdir -p "$(dirname "$OUT")"
cp "$TMP/repo/benchmarks/target/benchmarks.jar" "$OUT"
echo "$OUT: benchmarks.jar of $(git -C "$TMP/repo" rev-parse --short HEAD) with this checkout's exchange benchmark"

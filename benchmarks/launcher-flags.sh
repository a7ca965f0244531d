#!/bin/sh
# Prints the JVM flags the packaged launcher gives mesos-lb on this machine (transparent huge pages where the kernel
# offers them), for the benchmarks that start mesos-lb as the package does (load/lib.sh, StartFromSnapshot): it asks
# the launcher itself, with a java that only prints its arguments, so that the two cannot drift apart. A 512m heap,
# and no config file, class archive or extra options.
#
#   benchmarks/launcher-flags.sh [launcher]    # default: packaging/src/deb/bin/mesos-lb beside this directory
set -eu
launcher=${1:-$(dirname "$0")/../packaging/src/deb/bin/mesos-lb}
[ -f "$launcher" ] || { echo "no launcher at $launcher" >&2; exit 1; }
out=$(JAVA=echo MESOS_LB_DEFAULTS=/dev/null MESOS_LB_CONFIG='' MESOS_LB_CLASS_ARCHIVE='' MESOS_LB_JAVA_OPTS='' \
    MESOS_LB_HEAP=512m MESOS_LB_TRANSPARENT_HUGE_PAGES=auto sh "$launcher")
case $out in
    *" -jar "*) echo "${out%% -jar *}" ;;
    *) echo "$launcher did not print its java command line: $out" >&2; exit 1 ;;
esac

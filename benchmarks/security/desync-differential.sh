#!/usr/bin/env bash
# The request-smuggling corpus (lb-server's smuggling/DesyncCorpus: 314 vectors) through mesos-lb,
# nginx and HAProxy side by side, each a plain reverse proxy in front of its own credulous
# recording origin, and the table of verdicts. It is the same code as DesyncDifferentialTest, which
# `mvn verify` runs in CI; this runs only that test and prints the table.
#
#   bash benchmarks/security/desync-differential.sh
#
# Needs Debian's nginx and haproxy (apt-get install nginx haproxy); all traffic stays on 127.0.0.1.
# Verdicts: the status of the vector's first answer (or closed/timeout), "fwd" when the origin
# answered the vector's request, "DESYNC" when the origin answered a request whose answer no client
# received, or a canary on a fresh connection got someone else's answer.
set -euo pipefail
cd "$(dirname "$0")/../.."
for bin in /usr/sbin/nginx /usr/sbin/haproxy; do
  [ -x "$bin" ] || { echo "$bin is missing: apt-get install nginx haproxy" >&2; exit 2; }
done
status=0
mvn -B -q -pl lb-server -am verify -Dtest=DesyncDifferentialTest -Dsurefire.failIfNoSpecifiedTests=false \
  -DskipITs >/tmp/desync-differential.log 2>&1 || status=$?
if [ -f lb-server/target/desync-differential.txt ]; then
  cat lb-server/target/desync-differential.txt
fi
if [ "$status" -ne 0 ]; then
  echo "FAILED (exit $status); the build log is /tmp/desync-differential.log" >&2
fi
exit "$status"

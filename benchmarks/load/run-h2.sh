#!/usr/bin/env bash
# HTTP/2 load comparison: h2load against the nginx origin directly, and through mesos-lb, nginx and
# HAProxy configured as in run.sh (the same files, listening for HTTP/2 instead of HTTP/1.1), each
# relaying to the origin over HTTP/1.1 with keep-alive. See README.md next to this script
# ("HTTP/2 (h2load)").
#
#   benchmarks/load/run-h2.sh            # full run (DURATION=10s ROUNDS=3)
#   benchmarks/load/run-h2.sh --quick    # smoke test (DURATION=2s ROUNDS=1 WARMUP=2s)
#
# Every knob is an environment variable (defaults below). Traffic only ever goes to 127.0.0.1.
# Exits non-zero if any h2load run (warm-ups included) did not speak the expected protocol (h2c, or
# h2 by ALPN over TLS 1.3 with TLS_CIPHER), counted a failed, errored or timed-out request or a status other than 2xx, left
# more requests without a status than it had streams in flight, received an average response size
# that does not fit the body, or ran past its time; before measuring, every target must answer 200
# with the exact body over HTTP/2 (curl) on each scheme.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# JAR JVM_OPTS MESOS_LB_ARGS WORKERS ORIGIN_WORKERS READY_TIMEOUT and the CPU pinning: see lib.sh.
# shellcheck source=lib.sh
source "$HERE/lib.sh"
quick_or_usage "$@"

DURATION="${DURATION:-10s}"            # each measured h2load run (-D), after RUN_WARMUP
ROUNDS="${ROUNDS:-3}"                  # rounds; targets interleaved (and rotated) within each
WARMUP="${WARMUP:-5s}"                 # mesos-lb JIT warm-up per workload; the others get 2s each
RUN_WARMUP="${RUN_WARMUP:-1s}"         # h2load --warm-up-time of every run: connections up, not counted
CLIENTS="${CLIENTS:-8}"                # h2load -c: HTTP/2 connections
STREAMS="${STREAMS:-10 100}"           # h2load -m values: concurrent streams per connection
H2LOAD_THREADS="${H2LOAD_THREADS:-1}"  # h2load -t, on LOADGEN_CPUS
SCHEMES="${SCHEMES:-h2c h2}"           # h2c: cleartext, prior knowledge; h2: TLS, ALPN
TLS_CIPHER="${TLS_CIPHER:-TLS_AES_128_GCM_SHA256}"   # the TLS 1.3 suite h2load offers, alone
DOMAIN="${DOMAIN:-bench.local}"
TARGETS="${TARGETS:-direct mesos-lb nginx haproxy}"
BODIES="${BODIES:-small 64k}"
NGINX_BUFFERING="${NGINX_BUFFERING:-on}"   # as in run.sh
RESULTS="${RESULTS:-$HERE/results/h2-$(date +%Y%m%d-%H%M%S)}"
LOG_TAG=load-h2

# Every stream in flight is one HTTP/1.1 request to the origin: each proxy keeps that many idle
# connections to it, so none is opened or closed in steady state (run.sh: 64 for wrk's 64).
MAX_STREAMS="$(tr ' ' '\n' <<<"$STREAMS" | sort -n | tail -1)"
POOL="${POOL:-$(( CLIENTS * MAX_STREAMS ))}"
DURATION_S="$(seconds "$DURATION")" WARMUP_S="$(seconds "$WARMUP")" RUN_WARMUP_S="$(seconds "$RUN_WARMUP")"

require_tools h2load nginx haproxy openssl curl java ss timeout
for m in $STREAMS; do
    # 100: the lowest of the three proxies' stream limits (mesos-lb and HAProxy 100, nginx 128).
    [[ "$m" =~ ^[0-9]+$ ]] && (( m >= 1 && m <= 100 )) || die "STREAMS: $m is not 1..100"
done
for scheme in $SCHEMES; do
    [[ "$scheme" == h2c || "$scheme" == h2 ]] || die "unknown scheme $scheme (h2c, h2)"
done
for body in $BODIES; do [[ -n "${BODY_PATH[$body]:-}" ]] || die "unknown body $body (small, 64k)"; done
# A workload: scheme, body and streams per connection, e.g. h2c-small-m10.
ITEMS=""
for scheme in $SCHEMES; do
    for body in $BODIES; do
        for m in $STREAMS; do ITEMS+="$scheme-$body-m$m "; done
    done
done

# ------------------------------------------------------------------ configuration

http_setup
BACKEND_PORT="$(free_port)"
# PORT: h2c (the origin's is a second listen beside its HTTP/1.1 one); TLS_PORT: h2 over TLS.
declare -A PORT=([direct]="$(free_port)") TLS_PORT=([direct]="$(free_port)")
for target in $TARGETS; do
    case "$target" in
        direct) ;;
        nginx | haproxy | mesos-lb | mesos-lb-*) PORT[$target]="$(free_port)" TLS_PORT[$target]="$(free_port)" ;;
        *) die "unknown target $target (direct, mesos-lb, mesos-lb-<variant>, nginx, haproxy)" ;;
    esac
done

# One self-signed certificate for www.<domain> (an EC key, PKCS#8 as mesos-lb wants it), served by all.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=www.$DOMAIN" -addext "subjectAltName=DNS:www.$DOMAIN" \
    -keyout "$RUN_DIR/key.pem" -out "$RUN_DIR/cert.pem" 2>"$RUN_DIR/openssl.log"
cat "$RUN_DIR/cert.pem" "$RUN_DIR/key.pem" >"$RUN_DIR/crt.pem"   # HAProxy's crt: chain and key
chmod 644 "$RUN_DIR/"*.pem

# render_h2 <template> <output> [<listen port> <tls port>]: run.sh's config with its listener
# speaking HTTP/2 (h2c on the port, h2 over TLS on the TLS port) and POOL idle connections to the
# origin; for the origin's config, the two ports are added beside its HTTP/1.1 one. nginx 1.22
# offers TLS 1.3 only when told to (1.23.4 does by default).
render_h2() {
    local template="$RUN_DIR/$(basename "$2").template"
    sed -e "s|listen 127.0.0.1:@@PORT@@\([^;]*\);|listen 127.0.0.1:@@PORT@@ http2\1; listen 127.0.0.1:${4:-} ssl http2\1;|" \
        -e "s|listen 127.0.0.1:@@BACKEND_PORT@@\([^;]*\);|&\n        listen 127.0.0.1:${PORT[direct]} http2\1; listen 127.0.0.1:${TLS_PORT[direct]} ssl http2\1;|" \
        -e "s|^http {|&\n    ssl_certificate @@RUN_DIR@@/cert.pem;\n    ssl_certificate_key @@RUN_DIR@@/key.pem;\n    ssl_protocols TLSv1.2 TLSv1.3;|" \
        -e "s|keepalive 64;|keepalive $POOL;|" \
        -e "s|bind 127.0.0.1:@@PORT@@$|& proto h2\n    bind 127.0.0.1:${4:-} ssl crt @@RUN_DIR@@/crt.pem alpn h2|" \
        -e "s|X-Forwarded-Proto http$|X-Forwarded-Proto %[ssl_fc,iif(https,http)]|" \
        "$1" >"$template"
    render_http "$template" "$2" "${3:-}"
    rm "$template"
}
render_h2 "$HERE/conf/backend-nginx.conf" "$RUN_DIR/backend-nginx.conf"
render_http "$HERE/conf/routes.json" "$RUN_DIR/routes.json"

{
    env_header
    echo "nginx: $(nginx -v 2>&1 | sed 's/.*version: //')"
    echo "h2load: $(h2load --version | sed -n 1p), curl: $(curl -V | sed -n 1p | cut -d' ' -f1-2)"
    echo "settings: DURATION=$DURATION ROUNDS=$ROUNDS WARMUP=$WARMUP RUN_WARMUP=$RUN_WARMUP CLIENTS=$CLIENTS STREAMS=\"$STREAMS\" H2LOAD_THREADS=$H2LOAD_THREADS SCHEMES=\"$SCHEMES\" TLS_CIPHER=$TLS_CIPHER POOL=$POOL WORKERS=$WORKERS ORIGIN_WORKERS=$ORIGIN_WORKERS NGINX_BUFFERING=$NGINX_BUFFERING"
    echo "cpus: proxy=${PROXY_CPUS:-any}${PROXY_CPU_QUOTA:+ (quota $PROXY_CPU_QUOTA% of a core)} backend=${BACKEND_CPUS:-any} h2load=${LOADGEN_CPUS:-any}"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$RESULTS/env.txt"
log "results in $RESULTS"

# ------------------------------------------------------------------ start everything

log "origin nginx on port $BACKEND_PORT (HTTP/1.1), ${PORT[direct]} (h2c), ${TLS_PORT[direct]} (h2)"
start backend "$BACKEND_CPUS" nginx -p "$RUN_DIR" -e "$RUN_DIR/backend-nginx.error.log" -c "$RUN_DIR/backend-nginx.conf"
for target in $TARGETS; do
    case "$target" in
        nginx)
            render_h2 "$HERE/conf/proxy-nginx.conf" "$RUN_DIR/proxy-nginx.conf" "${PORT[nginx]}" "${TLS_PORT[nginx]}"
            start_proxy nginx nginx -p "$RUN_DIR" -e "$RUN_DIR/proxy-nginx.error.log" -c "$RUN_DIR/proxy-nginx.conf"
            ;;
        haproxy)
            render_h2 "$HERE/conf/proxy-haproxy.cfg" "$RUN_DIR/proxy-haproxy.cfg" "${PORT[haproxy]}" "${TLS_PORT[haproxy]}"
            start_proxy haproxy haproxy -db -f "$RUN_DIR/proxy-haproxy.cfg"
            ;;
        mesos-lb*)
            mesos_lb_variant "$target"
            echo "$target: $LB_OPTS $LB_JAR $LB_ARGS" >>"$RESULTS/env.txt"
            # shellcheck disable=SC2086 # opts and args are word lists
            start_proxy "$target" java $LB_OPTS -jar "$LB_JAR" \
                --listen-host 127.0.0.1 --listen-port "${PORT[$target]}" --h2c-prior-knowledge \
                --https-port "${TLS_PORT[$target]}" --tls-certificates "$RUN_DIR/cert.pem:$RUN_DIR/key.pem" \
                --domain "$DOMAIN" --routes-file "$RUN_DIR/routes.json" --worker-threads "$WORKERS" \
                --max-idle-per-backend "$POOL" --admin-port -1 --access-log=false --drain-period 0s $LB_ARGS
            ;;
    esac
    [[ "$target" == direct ]] || log "$target on port ${PORT[$target]} (h2c), ${TLS_PORT[$target]} (h2)"
done
PID_OF[direct]="${PID_OF[backend]}"

# url <scheme> <body>, connect_to <scheme> <target>: where h2load and curl send a workload. The
# URL names www.<domain> (the :authority every proxy routes by); the connection goes to 127.0.0.1.
url() { [[ "$1" == h2 ]] && echo "https://www.$DOMAIN${BODY_PATH[$2]}" || echo "http://www.$DOMAIN${BODY_PATH[$2]}"; }
connect_port() { [[ "$1" == h2 ]] && echo "${TLS_PORT[$2]}" || echo "${PORT[$2]}"; }

# Waits until <target> answers <body> over HTTP/2 on <scheme> with 200 and exactly the expected bytes.
await_ready() {
    local target="$1" scheme="$2" body="$3" deadline=$(( SECONDS + READY_TIMEOUT )) got
    local out="$RUN_DIR/ready-$target-$scheme-$body" port default_port=80 how=--http2-prior-knowledge
    port="$(connect_port "$scheme" "$target")"
    [[ "$scheme" != h2 ]] || default_port=443 how=--http2
    while :; do
        all_alive
        got="$(curl -s -k "$how" -o "$out" -w '%{http_code} %{http_version}' -m 2 \
            --connect-to "www.$DOMAIN:$default_port:127.0.0.1:$port" "$(url "$scheme" "$body")" || true)"
        if [[ "$got" == "200 2" ]] && cmp -s "$out" "$RUN_DIR/www${BODY_PATH[$body]}"; then
            return
        fi
        (( SECONDS < deadline )) || die "$target not serving ${BODY_PATH[$body]} over $scheme after ${READY_TIMEOUT}s (last status, version: $got)"
        sleep 0.2
    done
}
for target in $TARGETS; do
    for scheme in $SCHEMES; do
        for body in $BODIES; do await_ready "$target" "$scheme" "$body"; done
    done
done
log "all targets serve both bodies over HTTP/2 ($SCHEMES)"

# ------------------------------------------------------------------ measuring

FAILURES=0
TSV="$RESULTS/results.tsv"
printf 'round\ttarget\tworkload\treq_per_s\tmean_us\tp50_us\tp99_us\tp999_us\tmax_us\tfailed\terrored\ttimeout\tnon_2xx\tno_status\tcpu_pct\tcpu_us_per_req\tuser_us_per_req\tsys_us_per_req\tcheck\n' >"$TSV"
CLK_TCK="$(getconf CLK_TCK)"

# bench <label> <target> <workload> <duration>: one h2load run, checked; its row goes to results.tsv
# unless a warm-up.
bench() {
    local label="$1" target="$2" item="$3" duration="$4" scheme body m
    IFS=- read -r scheme body m <<<"$item"
    local out="$RESULTS/$label-$item-$target.txt" requests="$RUN_DIR/requests.tsv" status=0
    local pid="${PID_OF[$target]}" start_ticks end_ticks start_ns end_ns
    all_alive
    start_ticks="$(cpu_ticks "$pid")"; start_ns="$(date +%s%N)"
    pin "$LOADGEN_CPUS"
    # In the background: bash runs the INT/TERM traps during "wait", not until a foreground child
    # ends. --log-file: one line per request (status, microseconds), for the percentiles.
    timeout -k 5 "$(( $(seconds "$duration") + RUN_WARMUP_S + 60 ))" "${PIN[@]}" h2load \
        -c "$CLIENTS" -m "${m#m}" -t "$H2LOAD_THREADS" -D "$duration" --warm-up-time "$RUN_WARMUP" \
        --tls13-ciphers "$TLS_CIPHER" \
        --log-file "$requests" --connect-to "127.0.0.1:$(connect_port "$scheme" "$target")" \
        "$(url "$scheme" "$body")" >"$out" 2>&1 &
    WRK_PID=$!
    wait "$WRK_PID" || status=$?
    WRK_PID=""
    end_ticks="$(cpu_ticks "$pid")"; end_ns="$(date +%s%N)"

    # Percentiles (nearest rank) of the answered requests' times, from h2load's per-request log.
    local percentiles
    percentiles="$(awk -F'\t' '$2 ~ /^2/ { print $3 }' "$requests" | sort -n | awk '
        { t[NR] = $1 }
        function at(p,   i) { i = int(NR * p + 0.999999); return NR ? t[i < 1 ? 1 : i] : 0 }
        END { printf "%d %d %d %d %d", NR, at(0.5), at(0.99), at(0.999), NR ? t[NR] : 0 }')"
    local row
    row="$(awk -v label="$label" -v target="$target" -v item="$item" -v scheme="$scheme" -v status="$status" \
        -v tls_cipher="$TLS_CIPHER" \
        -v size="${BODY_SIZE[$body]}" -v in_flight="$(( CLIENTS * ${m#m} ))" -v percentiles="$percentiles" \
        -v user_ticks="$(( ${end_ticks% *} - ${start_ticks% *} ))" -v sys_ticks="$(( ${end_ticks#* } - ${start_ticks#* } ))" \
        -v hz="$CLK_TCK" -v wall_ns="$(( end_ns - start_ns ))" -v problems="$RESULTS/problems.txt" '
        function us(v) {   # h2load prints 850us, 1.23ms, 1.02s
            if (v ~ /us$/) return v + 0
            if (v ~ /ms$/) return v * 1000
            if (v ~ /s$/) return v * 1e6
            return -1
        }
        /^Application protocol:/ { proto = $3 }
        /^TLS Protocol:/ { tls = $3 }
        /^Cipher:/ { cipher = $2 }
        /^finished in/ { rps = $4 }
        /^requests:/ { done = $6; failed = $10; errored = $12; timeouts = $14; seen = 1 }
        /^status codes:/ { s2 = $3; s3 = $5; s4 = $7; s5 = $9 }
        /^traffic:/ { bytes = $3; gsub(/[()]/, "", bytes) }
        /^time for request:/ { mean = us($6); max = us($5) }
        END {
            split(percentiles, p, " ")
            problem = ""
            if (status == 124 || status == 137) problem = problem " still running at its time limit;"
            else if (status != 0) problem = problem " h2load exited " status ";"
            if (!seen) problem = problem " no result;"
            else {
                if (proto != scheme) problem = problem " spoke " (proto == "" ? "nothing" : proto) ", not " scheme ";"
                # Every target does the same cryptography.
                if (scheme == "h2" && (tls != "TLSv1.3" || cipher != tls_cipher))
                    problem = problem " negotiated " tls " " cipher ", not TLSv1.3 " tls_cipher ";"
                if (done == 0) problem = problem " no requests completed;"
                else {
                    # Frame and header bytes are well under 1 KiB: outside this band it is not our body.
                    # The band is widened by the responses in flight when counting began and ended,
                    # whose bytes are counted only in part.
                    per = bytes / done; slack = in_flight * (size + 1024) / done
                    if (per < size - slack || per > size + 1024 + slack)
                        problem = problem sprintf(" %.0f bytes per response, body is %d;", per, size)
                }
                if (failed + errored + timeouts > 0) problem = problem sprintf(" failed=%d errored=%d timeout=%d;", failed, errored, timeouts)
                if (s3 + s4 + s5 > 0) problem = problem sprintf(" status 3xx=%d 4xx=%d 5xx=%d;", s3, s4, s5)
                # Requests in flight when the h2load warm-up ends may be counted done without a status,
                # or counted 2xx but logged with status 0; more than were in flight cannot be that.
                no_status = done - s2 - s3 - s4 - s5
                if (no_status > in_flight) problem = problem sprintf(" %d requests without a status;", no_status)
                if (s2 < p[1] || s2 - p[1] > in_flight) problem = problem sprintf(" %d 2xx in its log, %d counted;", p[1], s2)
            }
            if (problem != "") print target " " item " " label ":" problem >>problems
            cpu = (user_ticks + sys_ticks) / hz
            tick_us = done ? 1e6 / hz / done : 0   # one tick, per request, in us
            printf "%s\t%s\t%s\t%.0f\t%.0f\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.0f\t%.1f\t%.1f\t%.1f\t%s\n", label, target, item,
                rps, mean, p[2], p[3], p[4], (p[5] > max ? p[5] : max), failed, errored, timeouts, s3 + s4 + s5, no_status,
                100 * cpu / (wall_ns / 1e9), (user_ticks + sys_ticks) * tick_us, user_ticks * tick_us, sys_ticks * tick_us,
                problem == "" ? "ok" : "FAILED"
        }' "$out")"
    if [[ "${row##*$'\t'}" != ok ]]; then
        FAILURES=$(( FAILURES + 1 ))
        # Kept: which requests failed, when, and after how long.
        mv "$requests" "${out%.txt}.requests.tsv"
        log "$(tail -1 "$RESULTS/problems.txt") (see $out)"
    fi
    rm -f "$requests"
    [[ "$label" != r[0-9]* ]] || printf '%s\n' "$row" >>"$TSV"
    log "$(awk -F'\t' '{printf "%-8s %-15s %-9s %7s req/s  mean %6.2f ms  p99 %6.2f ms  max %7.2f ms  errors %d  cpu %s%%  ",
        $1, $3, $2, $4, $5/1000, $7/1000, $9/1000, $10 + $11 + $12 + $13, $15}' <<<"$row")${row##*$'\t'}"
}

for item in $ITEMS; do
    for target in $TARGETS; do
        [[ "$target" == mesos-lb* ]] && d="$WARMUP" || d=2s
        bench warmup "$target" "$item" "$d"
    done
done

measured() { bench "$1" "$2" "$3" "$DURATION"; }
interleaved_rounds "$ITEMS" measured

# Memory after the load (resident set of the process and its children, KiB): a leak shows here.
for target in $TARGETS; do
    rss=0
    for p in "${PID_OF[$target]}" $(ps -o pid= --ppid "${PID_OF[$target]}" 2>/dev/null); do
        rss=$(( rss + $(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0) ))
    done
    echo "rss after: $target ${rss} KiB" >>"$RESULTS/env.txt"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$RESULTS/env.txt"

# ------------------------------------------------------------------ report

# Median over rounds of each column, per target and workload, then ratios to nginx, HAProxy and direct.
table() {
    awk -F'\t' -v targets="$TARGETS" -v items="$ITEMS" "$AWK_MEDIAN"'
        NR > 1 {
            k = $2 SUBSEP $3
            rps[k] = rps[k] " " $4; mean[k] = mean[k] " " $5; p50[k] = p50[k] " " $6; p99[k] = p99[k] " " $7
            p999[k] = p999[k] " " $8; cpu[k] = cpu[k] " " $15; cpr[k] = cpr[k] " " $16
            usr[k] = usr[k] " " $17; sys[k] = sys[k] " " $18
            if ($9 > max[k]) max[k] = $9
            err[k] += $10 + $11 + $12 + $13
            if ($19 != "ok") bad[k] = 1
        }
        END {
            print "| workload | target | req/s | mean ms | p50 ms | p99 ms | p99.9 ms | max ms | vs nginx | vs haproxy | vs direct | proxy CPU % | proxy CPU us/req (user+sys) | errors |"
            print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"
            ni = split(items, I, " "); nt = split(targets, T, " ")
            for (i = 1; i <= ni; i++) {
                rates(I[i], T, nt)
                for (t = 1; t <= nt; t++) {
                    k = T[t] SUBSEP I[i]
                    if (!(k in rps)) continue
                    printf "| %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d%s |\n", I[i], T[t], r[k],
                        ms(median(mean[k])), ms(median(p50[k])), ms(median(p99[k])), ms(median(p999[k])), ms(max[k]),
                        ratio(k, "nginx" SUBSEP I[i]), ratio(k, "haproxy" SUBSEP I[i]), ratio(k, "direct" SUBSEP I[i]),
                        proxy_cpu(T[t] == "direct", cpu[k], cpr[k], usr[k], sys[k]), err[k], (k in bad) ? " FAILED" : ""
                }
            }
        }' "$TSV"
}

{
    report_head "mesos-lb HTTP/2 load comparison"
    table
    echo
    echo "Medians over $ROUNDS round(s) of ${DURATION} h2load runs (after ${RUN_WARMUP} not counted), $CLIENTS connections,"
    echo "m<N> = N streams each. Workloads h2c-*: cleartext, prior knowledge; h2-*: TLS, ALPN. Latencies are"
    echo "h2load's per-request times (its --log-file), max over all rounds. \"proxy CPU\" is the proxy's own"
    echo "CPU time during the run; for direct it does not apply. errors: h2load's failed + errored + timeout + non-2xx."
} >"$RESULTS/table.md"
cat "$RESULTS/table.md"

if (( FAILURES > 0 )); then
    die "$FAILURES h2load run(s) failed their checks (see $RESULTS/problems.txt)"
fi
log "OK: every request answered 2xx over HTTP/2 with the right body, no failed, errored or timed-out stream"

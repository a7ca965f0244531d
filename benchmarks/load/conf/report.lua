-- wrk script: only done() is defined, so wrk keeps its fast C request/response path.
-- Prints one machine-readable line that run.sh parses (latencies in microseconds).
done = function(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "LOADBENCH requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d p50_us=%.0f p99_us=%.0f p999_us=%.0f max_us=%.0f\n",
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end

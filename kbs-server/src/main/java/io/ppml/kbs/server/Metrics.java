package io.ppml.kbs.server;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request metrics in the Prometheus text exposition format: requests by endpoint (route template, never
 * the concrete path, so key names do not become labels) and status, a latency histogram per endpoint, and
 * denials by error code.
 */
final class Metrics {
  private static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

  // Keyed by plain values; the label text is built only when the metrics are rendered.
  private record Endpoint(String method, String path) {
    String labels() {
      return label("endpoint", method + " " + path);
    }
  }

  private record Outcome(Endpoint endpoint, int status) {
    String labels() {
      return endpoint.labels() + "," + label("status", Integer.toString(status));
    }
  }

  private final Map<Outcome, LongAdder> requests = new ConcurrentHashMap<>();
  private final Map<Endpoint, Histogram> latency = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> denials = new ConcurrentHashMap<>();

  private static final class Histogram {
    final LongAdder[] counts = new LongAdder[BUCKETS.length];
    final LongAdder total = new LongAdder();
    final java.util.concurrent.atomic.DoubleAdder sum = new java.util.concurrent.atomic.DoubleAdder();

    Histogram() {
      for (int i = 0; i < counts.length; i++) {
        counts[i] = new LongAdder();
      }
    }

    void observe(double seconds) {
      for (int i = 0; i < BUCKETS.length; i++) {
        if (seconds <= BUCKETS[i]) {
          counts[i].increment();
        }
      }
      total.increment();
      sum.add(seconds);
    }
  }

  void record(String method, String endpoint, int status, long nanos) {
    Endpoint ep = new Endpoint(method, endpoint);
    requests.computeIfAbsent(new Outcome(ep, status), k -> new LongAdder()).increment();
    latency.computeIfAbsent(ep, k -> new Histogram()).observe(nanos / 1e9);
  }

  void denied(KbsError reason) {
    denials.computeIfAbsent(reason.code(), k -> new LongAdder()).increment();
  }

  String render() {
    StringBuilder b = new StringBuilder();
    b.append("# HELP kbs_requests_total HTTP requests by endpoint and status.\n");
    b.append("# TYPE kbs_requests_total counter\n");
    TreeMap<String, LongAdder> byLabels = new TreeMap<>();
    requests.forEach((k, v) -> byLabels.put(k.labels(), v));
    byLabels.forEach((k, v) -> b.append("kbs_requests_total{").append(k).append("} ")
        .append(v.sum()).append('\n'));
    b.append("# HELP kbs_request_duration_seconds Request latency by endpoint.\n");
    b.append("# TYPE kbs_request_duration_seconds histogram\n");
    TreeMap<String, Histogram> histograms = new TreeMap<>();
    latency.forEach((k, h) -> histograms.put(k.labels(), h));
    histograms.forEach((k, h) -> {
      for (int i = 0; i < BUCKETS.length; i++) {
        b.append("kbs_request_duration_seconds_bucket{").append(k).append(",le=\"").append(BUCKETS[i])
            .append("\"} ").append(h.counts[i].sum()).append('\n');
      }
      b.append("kbs_request_duration_seconds_bucket{").append(k).append(",le=\"+Inf\"} ").append(h.total.sum())
          .append('\n');
      b.append("kbs_request_duration_seconds_sum{").append(k).append("} ").append(h.sum.sum()).append('\n');
      b.append("kbs_request_duration_seconds_count{").append(k).append("} ").append(h.total.sum()).append('\n');
    });
    b.append("# HELP kbs_denials_total Requests refused, by error code.\n");
    b.append("# TYPE kbs_denials_total counter\n");
    new TreeMap<>(denials).forEach((k, v) -> b.append("kbs_denials_total{").append(label("reason", k))
        .append("} ").append(v.sum()).append('\n'));
    return b.toString();
  }

  private static String label(String name, String value) {
    return name + "=\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }
}

package io.mesoslb.server.observe;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A minimal reader of the Prometheus text format for tests: sample lines only, keyed by the metric
 * name followed by its labels sorted by name, e.g. {@code mesoslb_requests_total{app="/a",status="2xx"}}.
 */
public final class PrometheusText {
    private final Map<String, Double> samples;

    private PrometheusText(Map<String, Double> samples) {
        this.samples = samples;
    }

    public static PrometheusText parse(String text) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int valueStart;
            String key;
            if (brace >= 0) {
                int close = line.lastIndexOf('}');
                key = line.substring(0, brace) + canonicalLabels(line.substring(brace + 1, close));
                valueStart = close + 1;
            } else {
                int space = line.indexOf(' ');
                key = line.substring(0, space);
                valueStart = space;
            }
            String[] rest = line.substring(valueStart).trim().split(" ");
            out.put(key, Double.parseDouble(rest[0]));
        }
        return new PrometheusText(out);
    }

    private static String canonicalLabels(String labels) {
        Map<String, String> sorted = new TreeMap<>();
        int i = 0;
        while (i < labels.length()) {
            int eq = labels.indexOf('=', i);
            int q = eq + 2;
            StringBuilder v = new StringBuilder();
            while (labels.charAt(q) != '"') {
                if (labels.charAt(q) == '\\') {
                    q++;
                }
                v.append(labels.charAt(q++));
            }
            sorted.put(labels.substring(i, eq).trim(), v.toString());
            i = q + 1;
            while (i < labels.length() && (labels.charAt(i) == ',' || labels.charAt(i) == ' ')) {
                i++;
            }
        }
        StringBuilder sb = new StringBuilder("{");
        sorted.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append(k).append("=\"").append(v).append('"'));
        return sb.append('}').toString();
    }

    /** The sample's value, or null when absent. Labels in {@code key} must be sorted by name. */
    public Double get(String key) {
        return samples.get(key);
    }

    public Map<String, Double> samples() {
        return samples;
    }
}

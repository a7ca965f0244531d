package io.mesoslb.server.service;

/** The ports service ports may use ({@code service-port-range}, e.g. {@code 10000-10100}). */
public record PortRange(int first, int last) {
    public static final PortRange ANY = new PortRange(1, 65535);

    public PortRange {
        if (first < 1 || last > 65535 || first > last) {
            throw new IllegalArgumentException("not a port range: " + first + "-" + last);
        }
    }

    /** {@code 10000-10100}, or a single port. */
    public static PortRange parse(String text) {
        String t = text.strip();
        int dash = t.indexOf('-');
        try {
            if (dash < 0) {
                int p = Integer.parseInt(t);
                return new PortRange(p, p);
            }
            return new PortRange(Integer.parseInt(t.substring(0, dash).strip()), Integer.parseInt(t.substring(dash + 1).strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a port range: " + text);
        }
    }

    public boolean contains(int port) {
        return port >= first && port <= last;
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}

package io.mesoslb.core;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** A set of networks, e.g. the proxies trusted to report the client address. Immutable. */
public final class CidrList {
    public static final CidrList EMPTY = new CidrList(List.of());

    private final Cidr[] cidrs;

    private CidrList(List<Cidr> cidrs) {
        this.cidrs = cidrs.toArray(new Cidr[0]);
    }

    public static CidrList of(Collection<Cidr> cidrs) {
        return cidrs.isEmpty() ? EMPTY : new CidrList(List.copyOf(cidrs));
    }

    /**
     * Parses a comma- or whitespace-separated list such as {@code "10.0.0.0/8, 192.168.1.7, ::1"}.
     *
     * @throws IllegalArgumentException naming the first entry that is not a network
     */
    public static CidrList parse(String list) {
        if (list == null || list.isBlank()) {
            return EMPTY;
        }
        return parse(List.of(list.strip().split("[,\\s]+")));
    }

    /** @throws IllegalArgumentException naming the first entry that is not a network */
    public static CidrList parse(Collection<String> entries) {
        List<Cidr> out = new ArrayList<>(entries.size());
        for (String e : entries) {
            if (!e.isBlank()) {
                out.add(Cidr.parse(e));
            }
        }
        return of(out);
    }

    public boolean isEmpty() {
        return cidrs.length == 0;
    }

    public List<Cidr> cidrs() {
        return List.of(cidrs);
    }

    public boolean contains(InetAddress address) {
        return cidrs.length != 0 && address != null && contains(IpLiteral.bytes(address));
    }

    public boolean contains(byte[] address) {
        for (Cidr c : cidrs) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return List.of(cidrs).toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CidrList other && java.util.Arrays.equals(cidrs, other.cidrs);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(cidrs);
    }
}

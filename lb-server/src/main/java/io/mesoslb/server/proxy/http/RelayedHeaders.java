package io.mesoslb.server.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A message's header fields as they were received: the bytes of the head, with where each field's
 * name and value are, plus the few edits the proxy makes (fields removed, fields added). Nothing is
 * parsed into objects until asked for, and {@link #writeTo} relays the received lines byte for byte,
 * leaving out the removed ones and appending the added ones. Netty's codec would have turned every
 * field into a {@code String} pair in a hash map and encoded them back.
 *
 * <p>Made only by a parser that has checked every field as Netty's decoder would (a token name
 * followed at once by the colon, a value of visible bytes, spaces and tabs, CRLF line ends), so
 * relaying the lines says to the backend exactly what re-encoding them would. Lookups walk the
 * fields (a head has a dozen or so), comparing names without case.
 *
 * <p>Not thread-safe: one message's headers, on its connection's event loop.
 */
public final class RelayedHeaders extends HttpHeaders {
    /** The most fields a relayed head holds: one bit each in {@link #removed}. */
    public static final int MAX_FIELDS = 64;
    /** Ints per field in {@link #fields}: name start, name end, value start, value end, line end. */
    static final int SLOTS = 5;
    private static final byte[] COLON_SPACE = {':', ' '};
    private static final byte[] CRLF = {'\r', '\n'};

    private final byte[] head;
    private final int[] fields;
    private final int count;
    /** Bit i: field i is removed. */
    private long removed;
    /**
     * Added fields, name and value alternating, in the order added, in the first {@link #addedSlots}
     * slots: an array of its own rather than a list, one object less per head the proxy edits.
     */
    private CharSequence[] added;
    private int addedSlots;

    /**
     * @param head   the received head; field i's line is {@code head[fields[5i] .. fields[5i+4])}, CRLF included
     * @param fields five offsets per field: name start and end, value start and end (trimmed), line end
     * @param count  how many fields, at most {@link #MAX_FIELDS}
     */
    public RelayedHeaders(byte[] head, int[] fields, int count) {
        if (count > MAX_FIELDS) {
            throw new IllegalArgumentException("more than " + MAX_FIELDS + " fields");
        }
        this.head = head;
        this.fields = fields;
        this.count = count;
    }

    // ---------------------------------------------------------------- relaying

    /**
     * What an encoder's {@code encodeHeaders} does for relayed fields.
     *
     * @return false when {@code headers} are not relayed ones, which the encoder then writes its own way
     */
    public static boolean writeIfRelayed(HttpHeaders headers, ByteBuf out) {
        if (headers instanceof RelayedHeaders relayed) {
            relayed.writeTo(out);
            return true;
        }
        return false;
    }

    /** Writes the fields as they go on: received lines as they came (less removed ones), then added ones. */
    public void writeTo(ByteBuf out) {
        if (count > 0) {
            if (removed == 0) {
                out.writeBytes(head, fields[0], fields[(count - 1) * SLOTS + 4] - fields[0]);
            } else {
                writeKeptLines(out);
            }
        }
        for (int i = 0; i < addedSlots; i += 2) {
            writeField(out, added[i], added[i + 1]);
        }
    }

    /** Runs of kept lines, one copy per run. */
    private void writeKeptLines(ByteBuf out) {
        int runStart = -1;
        for (int i = 0; i < count; i++) {
            boolean kept = !isRemoved(i);
            if (kept && runStart < 0) {
                runStart = fields[i * SLOTS];
            } else if (!kept && runStart >= 0) {
                out.writeBytes(head, runStart, fields[i * SLOTS] - runStart);
                runStart = -1;
            }
        }
        if (runStart >= 0) {
            out.writeBytes(head, runStart, fields[(count - 1) * SLOTS + 4] - runStart);
        }
    }

    private static void writeField(ByteBuf out, CharSequence name, CharSequence value) {
        writeAscii(out, name);
        out.writeBytes(COLON_SPACE);
        writeAscii(out, value);
        out.writeBytes(CRLF);
    }

    private static void writeAscii(ByteBuf out, CharSequence s) {
        if (s instanceof AsciiString a) {
            out.writeBytes(a.array(), a.arrayOffset(), a.length());
        } else {
            ByteBufUtil.writeAscii(out, s);
        }
    }

    // ---------------------------------------------------------------- the one pass HeaderScan makes

    /** {@link HeaderScan#scan}'s bits, read off the received bytes without making a string. */
    int scan() {
        Span name = new Span(head);
        Span value = new Span(head);
        int bits = 0;
        for (int i = 0; i < count; i++) {
            if (isRemoved(i)) {
                continue;
            }
            int f = i * SLOTS;
            name.set(fields[f], fields[f + 1]);
            int found = HeaderScan.classify(name);
            if (found == HeaderScan.PRESENT) {
                value.set(fields[f + 2], fields[f + 3]);
                bits |= HeaderScan.connectionTokens(value, null);
            } else if (found == HeaderScan.HAS_HOST && (bits & HeaderScan.HAS_HOST) != 0) {
                bits |= HeaderScan.DUPLICATE_HOST;
            }
            bits |= found;
        }
        // Added by the proxy after reading: rare, and scanned the general way.
        for (int i = 0; i < addedSlots; i += 2) {
            int found = HeaderScan.classify(added[i]);
            if (found == HeaderScan.PRESENT) {
                bits |= HeaderScan.connectionTokens(added[i + 1], null);
            } else if (found == HeaderScan.HAS_HOST && (bits & HeaderScan.HAS_HOST) != 0) {
                bits |= HeaderScan.DUPLICATE_HOST;
            }
            bits |= found;
        }
        return bits;
    }

    /** A window on the head's bytes, moved from field to field, so a scan makes no strings. */
    private static final class Span implements CharSequence {
        private final byte[] bytes;
        private int start;
        private int end;

        Span(byte[] bytes) {
            this.bytes = bytes;
        }

        void set(int start, int end) {
            this.start = start;
            this.end = end;
        }

        @Override
        public int length() {
            return end - start;
        }

        @Override
        public char charAt(int index) {
            return (char) (bytes[start + index] & 0xFF);
        }

        @Override
        public CharSequence subSequence(int from, int to) {
            return new String(bytes, 0, start + from, to - from);
        }

        @Override
        public String toString() {
            return new String(bytes, 0, start, end - start);
        }
    }

    // ---------------------------------------------------------------- reading

    private boolean isRemoved(int i) {
        return (removed & (1L << i)) != 0;
    }

    private boolean nameIs(int i, CharSequence name) {
        int f = i * SLOTS;
        int start = fields[f];
        int len = fields[f + 1] - start;
        if (len != name.length()) {
            return false;
        }
        for (int k = 0; k < len; k++) {
            if (lower(head[start + k] & 0xFF) != lower(name.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    private static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }

    private String value(int i) {
        int f = i * SLOTS;
        return new String(head, 0, fields[f + 2], fields[f + 3] - fields[f + 2]);
    }

    private String name(int i) {
        int f = i * SLOTS;
        return new String(head, 0, fields[f], fields[f + 1] - fields[f]);
    }

    private static boolean sameName(CharSequence a, CharSequence b) {
        return AsciiString.contentEqualsIgnoreCase(a, b);
    }

    @Override
    public String get(String name) {
        return get((CharSequence) name);
    }

    @Override
    public String get(CharSequence name) {
        for (int i = 0; i < count; i++) {
            if (!isRemoved(i) && nameIs(i, name)) {
                return value(i);
            }
        }
        for (int i = 0; i < addedSlots; i += 2) {
            if (sameName(added[i], name)) {
                return added[i + 1].toString();
            }
        }
        return null;
    }

    /** The first value of {@code name} read by {@code parse}; null when absent or unreadable. */
    private <T> T parsed(CharSequence name, java.util.function.Function<String, T> parse) {
        String v = get(name);
        if (v == null) {
            return null;
        }
        try {
            return parse.apply(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public Integer getInt(CharSequence name) {
        return parsed(name, Integer::parseInt);
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        Integer v = getInt(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Short getShort(CharSequence name) {
        return parsed(name, Short::parseShort);
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        Short v = getShort(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        java.util.Date d = parsed(name, io.netty.handler.codec.DateFormatter::parseHttpDate);
        return d == null ? null : d.getTime();
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        Long v = getTimeMillis(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public List<String> getAll(String name) {
        return getAll((CharSequence) name);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        List<String> values = null;
        for (int i = 0; i < count; i++) {
            if (!isRemoved(i) && nameIs(i, name)) {
                if (values == null) {
                    values = new ArrayList<>(2);
                }
                values.add(value(i));
            }
        }
        for (int i = 0; i < addedSlots; i += 2) {
            if (sameName(added[i], name)) {
                if (values == null) {
                    values = new ArrayList<>(2);
                }
                values.add(added[i + 1].toString());
            }
        }
        return values == null ? Collections.emptyList() : values;
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        List<Map.Entry<String, String>> all = new ArrayList<>(size());
        for (int i = 0; i < count; i++) {
            if (!isRemoved(i)) {
                all.add(new AbstractMap.SimpleImmutableEntry<>(name(i), value(i)));
            }
        }
        for (int i = 0; i < addedSlots; i += 2) {
            all.add(new AbstractMap.SimpleImmutableEntry<>(added[i].toString(), added[i + 1].toString()));
        }
        return all;
    }

    @Override
    public boolean contains(String name) {
        return contains((CharSequence) name);
    }

    @Override
    public boolean contains(CharSequence name) {
        for (int i = 0; i < count; i++) {
            if (!isRemoved(i) && nameIs(i, name)) {
                return true;
            }
        }
        for (int i = 0; i < addedSlots; i += 2) {
            if (sameName(added[i], name)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        return entries().iterator();
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        // Immutable String entries read as CharSequence ones: no second list.
        return (Iterator) entries().iterator();
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public int size() {
        return count - Long.bitCount(removed) + addedSlots / 2;
    }

    @Override
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        for (Map.Entry<String, String> e : entries()) {
            names.add(e.getKey());
        }
        return names;
    }

    // ---------------------------------------------------------------- edits

    @Override
    public HttpHeaders add(String name, Object value) {
        return add((CharSequence) name, value);
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        CharSequence v = value instanceof CharSequence cs ? cs : String.valueOf(value);
        // What DefaultHttpHeaders checks on add: nothing the proxy adds may break the head it relays.
        if (HttpHeaderValidationUtil.validateToken(name) != -1) {
            throw new IllegalArgumentException("a header name must be a token: " + name);
        }
        appendValueChecked(name, v);
        return this;
    }

    /**
     * Adds a field of the proxy's own whose name is a token by construction (a constant of the code,
     * such as {@code X-Forwarded-For} or {@code Via}), so that only its value is checked: checking
     * the same few names again for every request cost a few percent of an exchange's CPU. Any other
     * headers get {@code add}, which checks both.
     */
    public static void addOwnField(HttpHeaders headers, AsciiString name, CharSequence value) {
        if (!(headers instanceof RelayedHeaders relayed)) {
            headers.add(name, value);
            return;
        }
        relayed.appendValueChecked(name, value);
    }

    /** Adds a field whose name is known to be a token, once its value is shown not to break the head. */
    private void appendValueChecked(CharSequence name, CharSequence value) {
        if (HttpHeaderValidationUtil.validateValidHeaderValue(value) != -1) {
            throw new IllegalArgumentException("invalid value for header " + name);
        }
        if (added == null) {
            // Room for what the proxy adds to a request (X-Forwarded-For, -Proto, -Port, -Host, Via).
            added = new CharSequence[10];
        } else if (addedSlots == added.length) {
            added = Arrays.copyOf(added, 2 * added.length);
        }
        added[addedSlots++] = name;
        added[addedSlots++] = value;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        return add((CharSequence) name, values);
    }

    @Override
    public HttpHeaders add(CharSequence name, Iterable<?> values) {
        for (Object v : values) {
            add(name, v);
        }
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        return add(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        return add(name, Short.toString(value));
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        return set((CharSequence) name, value);
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        remove(name);
        return add(name, value);
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        return set((CharSequence) name, values);
    }

    @Override
    public HttpHeaders set(CharSequence name, Iterable<?> values) {
        remove(name);
        return add(name, values);
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        return set(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        return set(name, Short.toString(value));
    }

    @Override
    public HttpHeaders remove(String name) {
        return remove((CharSequence) name);
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        for (int i = 0; i < count; i++) {
            if (nameIs(i, name)) {
                removed |= 1L << i;
            }
        }
        int kept = 0;
        for (int i = 0; i < addedSlots; i += 2) {
            if (!sameName(added[i], name)) {
                added[kept++] = added[i];
                added[kept++] = added[i + 1];
            }
        }
        for (int i = kept; i < addedSlots; i++) {
            added[i] = null;
        }
        addedSlots = kept;
        return this;
    }

    @Override
    public HttpHeaders clear() {
        removed = count == MAX_FIELDS ? -1L : (1L << count) - 1;
        added = null;
        addedSlots = 0;
        return this;
    }
}

package io.mesoslb.server.proxy.http;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** The byte classes and the few words a head is read by (a request's or a response's), without making strings of them. */
public final class HeadBytes {
    public static final int VERSION_LENGTH = 8;
    static final int CONTENT_LENGTH = 1;
    /** A header that changes how Netty's decoder frames a body: read by it, not here. */
    static final int OTHER_FRAMING = 2;
    static final int TRANSFER_ENCODING = 3;

    private static final boolean[] TCHAR = new boolean[256];
    /** Eight bytes of a head at once, for the runs of field bytes that make up most of it. */
    private static final VarHandle EIGHT_BYTES = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final byte[][] HIXIE_KEY_NAMES = {bytes("sec-websocket-key1"), bytes("sec-websocket-key2")};
    private static final byte[] CONTENT_LENGTH_NAME = bytes("content-length");
    private static final byte[] TRANSFER_ENCODING_NAME = bytes("transfer-encoding");
    private static final byte[] CHUNKED = bytes("chunked");
    private static final HttpMethod[] METHODS = {
            HttpMethod.GET, HttpMethod.POST, HttpMethod.HEAD, HttpMethod.PUT, HttpMethod.DELETE,
            HttpMethod.OPTIONS, HttpMethod.PATCH, HttpMethod.TRACE, HttpMethod.CONNECT};

    static {
        // RFC 9110 5.6.2: tchar
        for (char c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 'a' + 'A'] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    private HeadBytes() {
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    public static boolean isTchar(byte b) {
        return TCHAR[b & 0xFF];
    }

    /** A byte of a request target the proxy forwards as it came: visible ASCII. */
    public static boolean isVisible(byte b) {
        return b > 0x20 && b < 0x7F;
    }

    /** A byte of a field value that Netty's header validation lets through: HTAB, SP, VCHAR, obs-text. */
    public static boolean isFieldByte(byte b) {
        int c = b & 0xFF;
        return c >= 0x20 && c != 0x7F || c == '\t';
    }

    /**
     * Where the run of {@linkplain #isFieldByte field bytes} that starts at {@code i} ends: the index
     * of the first byte from {@code i} on that is not one. The head must have such a byte (every line
     * of a head read here ends with CR). Eight bytes are looked at a time while
     * none of them is a control byte or DEL, the rest one by one, so the answer is the byte loop's.
     */
    public static int fieldBytesEnd(byte[] head, int i) {
        int lastWord = head.length - Long.BYTES;
        while (i <= lastWord) {
            long w = (long) EIGHT_BYTES.get(head, i);
            // A byte below 0x20 (HTAB among them, which the byte loop takes) or equal to 0x7F sets its high
            // bit here; bytes from 0x80 (obs-text) set none. Exact as a yes/no for the whole word.
            long below = (w - 0x20 * ONES) & ~w & HIGH_BITS;
            long del = w ^ 0x7F * ONES;
            del = (del - ONES) & ~del & HIGH_BITS;
            if ((below | del) != 0) {
                break;
            }
            i += Long.BYTES;
        }
        while (isFieldByte(head[i])) {
            i++;
        }
        return i;
    }

    /** {@code HTTP/1.1} or {@code HTTP/1.0} at {@code at}, spelled exactly; null for anything else. */
    public static HttpVersion version(byte[] head, int at) {
        if (at + VERSION_LENGTH > head.length || head[at] != 'H' || head[at + 1] != 'T' || head[at + 2] != 'T'
                || head[at + 3] != 'P' || head[at + 4] != '/' || head[at + 5] != '1' || head[at + 6] != '.') {
            return null;
        }
        byte minor = head[at + 7];
        return minor == '1' ? HttpVersion.HTTP_1_1 : minor == '0' ? HttpVersion.HTTP_1_0 : null;
    }

    /** The method named by {@code head[0 .. length)}, a token: Netty's constant where there is one. */
    public static HttpMethod method(byte[] head, int length) {
        for (HttpMethod m : METHODS) {
            if (m.asciiName().length() == length && startsWith(head, m.asciiName().array(), m.asciiName().arrayOffset(), length)) {
                return m;
            }
        }
        return HttpMethod.valueOf(new String(head, 0, 0, length));
    }

    private static boolean startsWith(byte[] head, byte[] name, int offset, int length) {
        for (int i = 0; i < length; i++) {
            if (head[i] != name[offset + i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@link #CONTENT_LENGTH}, {@link #TRANSFER_ENCODING}, {@link #OTHER_FRAMING} (the keys of a
     * Hixie-76 handshake) or 0 for the name {@code head[start .. end)}.
     */
    static int framing(byte[] head, int start, int end) {
        int len = end - start;
        if (len == CONTENT_LENGTH_NAME.length && equalsLower(head, start, CONTENT_LENGTH_NAME)) {
            return CONTENT_LENGTH;
        }
        if (len == TRANSFER_ENCODING_NAME.length && equalsLower(head, start, TRANSFER_ENCODING_NAME)) {
            return TRANSFER_ENCODING;
        }
        if (len == 18) {
            for (byte[] name : HIXIE_KEY_NAMES) {
                if (len == name.length && equalsLower(head, start, name)) {
                    return OTHER_FRAMING;
                }
            }
        }
        return 0;
    }

    /** {@code head[start .. end)} is {@code chunked}, spelled so. */
    static boolean isChunked(byte[] head, int start, int end) {
        if (end - start != CHUNKED.length) {
            return false;
        }
        for (int i = 0; i < CHUNKED.length; i++) {
            if (head[start + i] != CHUNKED[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean equalsLower(byte[] head, int start, byte[] lower) {
        for (int i = 0; i < lower.length; i++) {
            int c = head[start + i];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != lower[i]) {
                return false;
            }
        }
        return true;
    }

    /** The value of 1 to 18 decimal digits, or -1 for anything else (Netty reads the rest, and refuses most). */
    static long digits(byte[] head, int start, int end) {
        if (end == start || end - start > 18) {
            return -1;
        }
        long v = 0;
        for (int i = start; i < end; i++) {
            int d = head[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }
}

package io.mesoslb.server.testing;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * HTTP/2 frames written by hand over a plain socket (h2c by prior knowledge), HPACK included: for
 * the attacks a well-behaved client library will not send. Reads the server's frames back, decoding
 * header blocks with Netty's HPACK decoder.
 */
public final class RawH2 implements AutoCloseable {
    public static final int DATA = 0x0;
    public static final int HEADERS = 0x1;
    public static final int RST_STREAM = 0x3;
    public static final int SETTINGS = 0x4;
    public static final int PING = 0x6;
    public static final int GOAWAY = 0x7;
    public static final int CONTINUATION = 0x9;
    public static final int END_STREAM = 0x1;
    public static final int ACK = 0x1;
    public static final int END_HEADERS = 0x4;
    public static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** One frame as read. */
    public record Frame(int type, int flags, int stream, byte[] payload) {
        /** A GOAWAY's or RST_STREAM's error code. */
        public long errorCode() {
            int at = type == GOAWAY ? 4 : 0;
            return ((payload[at] & 0xffL) << 24) | ((payload[at + 1] & 0xff) << 16) | ((payload[at + 2] & 0xff) << 8)
                    | (payload[at + 3] & 0xff);
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final DefaultHttp2HeadersDecoder hpack = new DefaultHttp2HeadersDecoder(false);
    /** Every frame read so far, in order. */
    public final List<Frame> seen = new ArrayList<>();

    /** @param receiveBuffer the socket's receive buffer, 0 for the system's */
    public RawH2(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(20_000);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
        out.write(PREFACE);
        frame(SETTINGS, 0, 0, new byte[0]);
        out.flush();
    }

    public RawH2(int port) throws IOException {
        this(port, 0);
    }

    /** Writes one frame (unflushed). */
    public RawH2 frame(int type, int flags, int stream, byte[] payload) throws IOException {
        out.write(frameBytes(type, flags, stream, payload));
        return this;
    }

    public static byte[] frameBytes(int type, int flags, int stream, byte[] payload) {
        byte[] f = new byte[9 + payload.length];
        f[0] = (byte) (payload.length >>> 16);
        f[1] = (byte) (payload.length >>> 8);
        f[2] = (byte) payload.length;
        f[3] = (byte) type;
        f[4] = (byte) flags;
        f[5] = (byte) (stream >>> 24 & 0x7f);
        f[6] = (byte) (stream >>> 16);
        f[7] = (byte) (stream >>> 8);
        f[8] = (byte) stream;
        System.arraycopy(payload, 0, f, 9, payload.length);
        return f;
    }

    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
    }

    public void flush() throws IOException {
        out.flush();
    }

    /** The next frame, or null once the server closed the connection (or reset it). */
    public Frame read() throws IOException {
        try {
            int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int stream = in.readInt() & 0x7fffffff;
            byte[] payload = new byte[length];
            in.readFully(payload);
            Frame f = new Frame(type, flags, stream, payload);
            seen.add(f);
            return f;
        } catch (EOFException e) {
            return null;
        } catch (SocketException e) {
            if (e.getMessage() != null && e.getMessage().contains("reset")) {
                return null;
            }
            throw e;
        }
    }

    /** Reads until a frame of {@code type} (on {@code stream}, or any when negative); null when the connection ends first. */
    public Frame await(int type, int stream) throws IOException {
        Frame f;
        while ((f = read()) != null) {
            if (f.type() == type && (stream < 0 || f.stream() == stream)) {
                return f;
            }
        }
        return null;
    }

    /**
     * Reads until the server's own SETTINGS (not an acknowledgement) and acknowledges it: from then
     * on the server holds this connection to what it announced there.
     */
    public Frame acknowledgeServerSettings() throws IOException {
        Frame f;
        while ((f = await(SETTINGS, 0)) != null && (f.flags() & ACK) != 0) {
            // The acknowledgement of ours; the server's own comes next.
        }
        if (f != null) {
            frame(SETTINGS, ACK, 0, new byte[0]).flush();
        }
        return f;
    }

    /** The value a SETTINGS frame gives parameter {@code id}, or -1 when it gives none. */
    public static long setting(Frame settings, int id) {
        byte[] p = settings.payload();
        long value = -1;
        for (int at = 0; at + 6 <= p.length; at += 6) {
            if (((p[at] & 0xff) << 8 | (p[at + 1] & 0xff)) == id) {
                value = (p[at + 2] & 0xffL) << 24 | (p[at + 3] & 0xff) << 16 | (p[at + 4] & 0xff) << 8 | (p[at + 5] & 0xff);
            }
        }
        return value;
    }

    /** Reads until the server closes the connection; true when it did within the socket timeout. */
    public boolean closedByServer() throws IOException {
        try {
            while (read() != null) {
                // Everything before the close is dropped.
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** Decodes a HEADERS frame's block (no padding or priority) with this connection's HPACK state. */
    public Http2Headers decode(Frame headers) throws Exception {
        return hpack.decodeHeaders(headers.stream(), Unpooled.wrappedBuffer(headers.payload()));
    }

    // ------------------------------------------------------------ HPACK, written by hand

    /** A request's header block, every field a literal without indexing. */
    public static byte[] request(String method, String authority, String path) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(literal(":method", method));
        b.writeBytes(literal(":scheme", "http"));
        b.writeBytes(literal(":path", path));
        b.writeBytes(literal(":authority", authority));
        return b.toByteArray();
    }

    /** A literal field without indexing, with a new name. */
    public static byte[] literal(String name, String value) {
        return field(0x00, name, value);
    }

    /** A literal field the decoder adds to its dynamic table (the newest entry is index 62). */
    public static byte[] indexedLiteral(String name, String value) {
        return field(0x40, name, value);
    }

    /** A reference to table entry {@code index}. */
    public static byte[] indexed(int index) {
        return integer(0x80, 7, index);
    }

    /** A dynamic table size update to {@code size}. */
    public static byte[] tableSize(int size) {
        return integer(0x20, 5, size);
    }

    private static byte[] field(int first, String name, String value) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(first);
        b.writeBytes(string(name));
        b.writeBytes(string(value));
        return b.toByteArray();
    }

    private static byte[] string(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(integer(0x00, 7, bytes.length));
        b.writeBytes(bytes);
        return b.toByteArray();
    }

    /** RFC 7541 5.1: an integer in an {@code prefixBits}-bit prefix after the {@code flags} bits. */
    private static byte[] integer(int flags, int prefixBits, int value) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int max = (1 << prefixBits) - 1;
        if (value < max) {
            b.write(flags | value);
            return b.toByteArray();
        }
        b.write(flags | max);
        value -= max;
        while (value >= 128) {
            b.write(value % 128 + 128);
            value /= 128;
        }
        b.write(value);
        return b.toByteArray();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

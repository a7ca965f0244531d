package io.mesoslb.server.smuggling;

import java.util.ArrayList;
import java.util.List;

/**
 * Requests built to make a proxy and the server behind it disagree on where a request ends: the
 * header permutations of PortSwigger's http-request-smuggler (DesyncBox), duplicated and
 * comma-joined framing headers, {@code Connection} naming framing and routing headers, and
 * malformed request lines and targets.
 *
 * <p>Every vector is one request to {@code /outer-<n>} whose body, or whatever follows it, hides a
 * request to {@code /smuggled}. A proxy that reframes the outer request the way a lenient server
 * misreads it makes that server parse {@code /smuggled} (or leave it waiting for a body, so that
 * the next client's request is glued onto it).
 */
public final class DesyncCorpus {
    /** One vector: the exact bytes a client sends, as ISO-8859-1 text. */
    public record Vector(String name, String wire) {
    }

    private static final String[] CONTROL = {"\u0000", "\u0001", "\u0008", "\u000b", "\u000c", "\r", "\n", "\u001f",
            "\u007f", "\u00a0", "\u00ff"};

    private DesyncCorpus() {
    }

    public static List<Vector> vectors(String host) {
        List<Vector> out = new ArrayList<>();
        String smuggled = "GET /smuggled HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
        for (String te : transferEncodingVariants()) {
            String label = printable(te);
            // CL.TE: the proxy frames by Content-Length, a lenient server by chunked.
            String clte = "0\r\n\r\n" + smuggled;
            out.add(post("cl.te " + label, host, "Content-Length: " + clte.length() + "\r\n" + te + "\r\n", clte));
            // TE.CL: the proxy frames by chunked, a server by a Content-Length that stops inside the body.
            out.add(post("te.cl " + label, host, te + "\r\nContent-Length: 3\r\n", chunked(smuggled)));
            // TE alone: the proxy must either frame by it or refuse it.
            out.add(post("te " + label, host, te + "\r\n", chunked(smuggled)));
        }
        for (String cl : contentLengthVariants(smuggled.length())) {
            out.add(post("cl " + printable(cl), host, cl + "\r\n", smuggled));
        }
        for (String connection : connectionVariants()) {
            String label = printable(connection);
            out.add(post("connection+cl " + label, host,
                    connection + "\r\nContent-Length: " + smuggled.length() + "\r\n", smuggled));
            out.add(post("connection+te " + label, host,
                    connection + "\r\nTransfer-Encoding: chunked\r\n", chunked(smuggled)));
        }
        // The reproduction: the body ends in a request whose own body swallows the next client's.
        String capture = "POST /smuggled-capture HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 120\r\n\r\nstolen=";
        out.add(post("capture via Connection: content-length", host,
                "Connection: content-length\r\nContent-Length: " + capture.length() + "\r\n", capture));
        out.add(post("capture via Connection: transfer-encoding", host,
                "Connection: transfer-encoding\r\nTransfer-Encoding: chunked\r\n", chunked(capture)));
        out.add(post("capture via Connection: Content-Length, keep-alive", host,
                "Connection: Content-Length, keep-alive\r\nContent-Length: " + capture.length() + "\r\n", capture));
        for (String line : requestLineVariants()) {
            out.add(new Vector("line " + printable(line), line + "\r\nHost: " + host + "\r\n\r\n"));
        }
        out.add(new Vector("bare LF line ends", "GET /outer HTTP/1.1\nHost: " + host + "\n\n"));
        out.add(new Vector("bare CR line ends", "GET /outer HTTP/1.1\rHost: " + host + "\r\r"));
        out.add(new Vector("h2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
        out.add(new Vector("two Host", "GET /outer HTTP/1.1\r\nHost: " + host + "\r\nHost: other.example\r\n\r\n"));
        out.add(new Vector("Host with space before colon", "GET /outer HTTP/1.1\r\nHost : " + host + "\r\n\r\n"));
        out.add(new Vector("Host in trailers", "POST /outer HTTP/1.1\r\nHost: " + host
                + "\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nHost: other.example\r\n\r\n"));
        out.add(new Vector("Transfer-Encoding in trailers", "POST /outer HTTP/1.1\r\nHost: " + host
                + "\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nTransfer-Encoding: chunked\r\n\r\n"));
        out.add(new Vector("chunk size with junk", "POST /outer HTTP/1.1\r\nHost: " + host
                + "\r\nTransfer-Encoding: chunked\r\n\r\n1x\r\nx\r\n0\r\n\r\n" + smuggled));
        out.add(new Vector("chunk size overflow", "POST /outer HTTP/1.1\r\nHost: " + host
                + "\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000001\r\nx\r\n0\r\n\r\n" + smuggled));
        out.add(new Vector("chunk without CRLF after data", "POST /outer HTTP/1.1\r\nHost: " + host
                + "\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxx0\r\n\r\n" + smuggled));
        out.add(new Vector("chunk extension with bare LF", "POST /outer HTTP/1.1\r\nHost: " + host
                + "\r\nTransfer-Encoding: chunked\r\n\r\n1;a\nb\r\nx\r\n0\r\n\r\n" + smuggled));
        // Not smuggling: must pass, or the corpus proves nothing about false refusals.
        out.add(new Vector("plain GET", "GET /outer HTTP/1.1\r\nHost: " + host + "\r\n\r\n"));
        out.add(post("plain chunked POST", host, "Transfer-Encoding: chunked\r\n", chunked("hello")));
        out.add(post("plain sized POST", host, "Content-Length: 5\r\n", "hello"));
        out.add(new Vector("Connection: keep-alive, X-Drop", "GET /outer HTTP/1.1\r\nHost: " + host
                + "\r\nConnection: keep-alive, X-Drop\r\nX-Drop: 1\r\n\r\n"));
        for (int i = 0; i < out.size(); i++) {
            Vector v = out.get(i);
            out.set(i, new Vector(v.name(), v.wire().replaceFirst("/outer", "/outer-" + i)));
        }
        return out;
    }

    private static Vector post(String name, String host, String headers, String body) {
        return new Vector(name, "POST /outer HTTP/1.1\r\nHost: " + host + "\r\n" + headers + "\r\n" + body);
    }

    private static String chunked(String body) {
        return Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
    }

    static List<String> transferEncodingVariants() {
        List<String> v = new ArrayList<>(List.of(
                "Transfer-Encoding: chunked",
                "TRANSFER-ENCODING: CHUNKED",
                "transfer-encoding: cHuNkEd",
                "Transfer-Encoding:chunked",
                "Transfer-Encoding:\tchunked",
                "Transfer-Encoding:  chunked",
                "Transfer-Encoding: chunked ",
                "Transfer_Encoding: chunked",
                "Transfer Encoding: chunked",
                "Transfer-Encoding : chunked",
                "Transfer-Encoding\t: chunked",
                " Transfer-Encoding: chunked",
                "\tTransfer-Encoding: chunked",
                "X: y\r\n Transfer-Encoding: chunked",
                "X: y\r\n\tTransfer-Encoding: chunked",
                "X: y\rTransfer-Encoding: chunked",
                "X: y\nTransfer-Encoding: chunked",
                "X: y\r\n\rTransfer-Encoding: chunked",
                "Transfer-Encoding:\r\n chunked",
                "Transfer-Encoding: \r\n\tchunked",
                "Transfer-Encoding\r\n : chunked",
                "Transfer-Encoding: \"chunked\"",
                "Transfer-Encoding: 'chunked'",
                "Transfer-Encoding: chunked, identity",
                "Transfer-Encoding: identity, chunked",
                "Transfer-Encoding: gzip, chunked",
                "Transfer-Encoding: chunked, chunked",
                "Transfer-Encoding: chunked,",
                "Transfer-Encoding: ,chunked",
                "Transfer-Encoding: xchunked",
                "Transfer-Encoding: chunkedx",
                "Transfer-Encoding: chunked;q=1",
                "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked",
                "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity",
                "Transfer-Encoding: identity\r\nTransfer-Encoding: chunked",
                "Transfer-Encoding: x\r\nTransfer-Encoding: chunked",
                "Transfer-Encoding:",
                "Content-Encoding: chunked"));
        for (String c : CONTROL) {
            v.add("Transfer-Encoding: " + c + "chunked");
            v.add("Transfer-Encoding: chunked" + c);
            v.add("Transfer-Encoding" + c + ": chunked");
            v.add(c + "Transfer-Encoding: chunked");
        }
        return v;
    }

    static List<String> contentLengthVariants(int n) {
        return List.of(
                "Content-Length: " + n + ", " + n,
                "Content-Length: " + n + "\r\nContent-Length: " + n,
                "Content-Length: 0\r\nContent-Length: " + n,
                "Content-Length: " + n + "\r\nContent-Length: 0",
                "Content-Length: +" + n,
                "Content-Length: -" + n,
                "Content-Length: 0" + n,
                "Content-Length: " + n + " 0",
                "Content-Length: " + n + "x",
                "Content-Length: 0x" + Integer.toHexString(n),
                "Content-Length : " + n,
                "Content_Length: " + n,
                " Content-Length: " + n,
                "Content-Length: \u000b" + n,
                "Content-Length: 99999999999999999999",
                "Content-Length:");
    }

    static List<String> connectionVariants() {
        return List.of(
                "Connection: content-length",
                "Connection: Content-Length, keep-alive",
                "Connection: close, transfer-encoding",
                "Connection: TRANSFER-ENCODING",
                "Connection: keep-alive\r\nConnection: content-length",
                "Connection: host",
                "Connection: keep-alive, Host");
    }

    static List<String> requestLineVariants() {
        return List.of(
                "GET /outer\u0000 HTTP/1.1",
                "GET /outer\u0001 HTTP/1.1",
                "GET /outer\u007f HTTP/1.1",
                "GET /outer\u00ff HTTP/1.1",
                "GET /outer\u0009x HTTP/1.1",
                "GET @evil.example/outer HTTP/1.1",
                "GET ftp://evil.example/outer HTTP/1.1",
                "GET outer HTTP/1.1",
                "GET * HTTP/1.1",
                "GET /outer HTTP/9.9",
                "GET /outer HTTP/2.0",
                "GET /outer HTTP/1.10",
                "GET /outer HTTP/1.1 x",
                "GET /outer http/1.1",
                "GET  /outer HTTP/1.1",
                "GET /outer  HTTP/1.1",
                "GET\t/outer HTTP/1.1",
                "G\u0000ET /outer HTTP/1.1",
                "GET /outer HTTP/1.1\u0000",
                " GET /outer HTTP/1.1");
    }

    /** The vector's bytes as a readable label: control and non-ASCII bytes as {@code \xNN}. */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r') {
                b.append("\\r");
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (c < 0x20 || c > 0x7e) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}

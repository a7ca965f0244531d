package io.mesoslb.server.auth;

import java.util.Arrays;
import java.util.Base64;

/**
 * The user and password of an {@code Authorization: Basic} header (RFC 7617), as bytes: the password
 * is never made a String, so it can be wiped after hashing. Parse errors say nothing of the value.
 */
final class BasicCredentials {
    private static final String SCHEME = "basic";

    final byte[] user;
    final byte[] password;

    private BasicCredentials(byte[] user, byte[] password) {
        this.user = user;
        this.password = password;
    }

    /** Null for anything but one well-formed Basic credential. */
    static BasicCredentials parse(CharSequence header) {
        if (header == null) {
            return null;
        }
        int end = header.length();
        while (end > 0 && isSpace(header.charAt(end - 1))) {
            end--;
        }
        int start = 0;
        while (start < end && isSpace(header.charAt(start))) {
            start++;
        }
        if (end - start <= SCHEME.length() + 1 || !schemeIsBasic(header, start)) {
            return null;
        }
        int token = start + SCHEME.length();
        if (!isSpace(header.charAt(token))) {
            return null;
        }
        while (token < end && isSpace(header.charAt(token))) {
            token++;
        }
        byte[] encoded = new byte[end - token];
        for (int i = 0; i < encoded.length; i++) {
            char c = header.charAt(token + i);
            if (c > 0x7e || isSpace(c)) {
                return null;
            }
            encoded[i] = (byte) c;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException notBase64) {
            return null;
        } finally {
            Arrays.fill(encoded, (byte) 0);
        }
        try {
            int colon = indexOf(decoded, (byte) ':');
            if (colon < 0) {
                return null;
            }
            return new BasicCredentials(Arrays.copyOfRange(decoded, 0, colon),
                    Arrays.copyOfRange(decoded, colon + 1, decoded.length));
        } finally {
            Arrays.fill(decoded, (byte) 0);
        }
    }

    void wipe() {
        Arrays.fill(password, (byte) 0);
    }

    private static boolean schemeIsBasic(CharSequence header, int start) {
        for (int i = 0; i < SCHEME.length(); i++) {
            if (Character.toLowerCase(header.charAt(start + i)) != SCHEME.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "BasicCredentials[redacted]";
    }
}

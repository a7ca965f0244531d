package io.mesoslb.server.proxy.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The {@code Host} value as the client meant it. The codec turns each byte into one char, so a raw
 * UTF-8 name ({@code bücher.example}) arrives as Latin-1 mojibake; decoded here, it meets its
 * punycode route like any internationalised name.
 */
public final class HostHeader {
    private HostHeader() {
    }

    /** {@code raw} itself when ASCII (the common case, no allocation), else its UTF-8 reading; null when not UTF-8. */
    public static String decoded(String raw) {
        int n = raw.length();
        int i = 0;
        while (i < n && raw.charAt(i) < 0x80) {
            i++;
        }
        if (i == n) {
            return raw;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw.getBytes(StandardCharsets.ISO_8859_1)))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}

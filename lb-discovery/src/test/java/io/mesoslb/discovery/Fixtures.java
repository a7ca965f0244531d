package io.mesoslb.discovery;

import io.mesoslb.testkit.SharedData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/** Real Marathon payloads, read in place from {@code shared/marathon} beside the checkout. */
public final class Fixtures {
    private Fixtures() {
    }

    public static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(SharedData.require("marathon").resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }
}

package io.mesoslb.server.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The server contexts of the certificate files routes name, by path, loaded again only when a
 * file's modification time or size changes: a table swap then costs one stat per file. Confined to
 * one thread (the refresher's), so unsynchronised.
 */
final class CertificateFiles {
    /** What a path gave when last read. */
    record Loaded(SslContext context, String problem) {
    }

    private record Entry(FileTime modified, long size, Loaded loaded) {
    }

    private final Map<String, Entry> byPath = new HashMap<>();
    private final AlpnOffer offer;

    CertificateFiles(AlpnOffer offer) {
        this.offer = offer;
    }

    /**
     * The context for {@code path}: the context when the file (as it is now) is usable; else the
     * problem, and the context the file last gave, if any, so that a file caught half-written by a
     * renewal does not take a working certificate away.
     */
    Loaded get(String path) {
        Path file;
        BasicFileAttributes attributes;
        try {
            file = Path.of(path);
            if (!file.isAbsolute()) {
                return remember(path, null, -1, new Loaded(null, "not an absolute path"));
            }
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (InvalidPathException e) {
            return remember(path, null, -1, new Loaded(null, "not a path: " + e.getMessage()));
        } catch (IOException e) {
            return failed(path, null, -1, describe(e));
        }
        Entry cached = byPath.get(path);
        if (cached != null && cached.modified().equals(attributes.lastModifiedTime()) && cached.size() == attributes.size()) {
            return cached.loaded();
        }
        try {
            CombinedPem pem = CombinedPem.read(file);
            SslContext context = offer.build(SslContextBuilder.forServer(pem.key(), pem.chain()));
            return remember(path, attributes.lastModifiedTime(), attributes.size(), new Loaded(context, null));
        } catch (IOException | RuntimeException e) {
            return failed(path, attributes.lastModifiedTime(), attributes.size(), describe(e));
        }
    }

    /** Forgets the files no route names any more. */
    void retainOnly(Set<String> paths) {
        byPath.keySet().retainAll(paths);
    }

    private Loaded failed(String path, FileTime modified, long size, String problem) {
        Entry previous = byPath.get(path);
        SslContext lastGood = previous == null ? null : previous.loaded().context();
        return remember(path, modified, size, new Loaded(lastGood, problem));
    }

    private Loaded remember(String path, FileTime modified, long size, Loaded loaded) {
        byPath.put(path, new Entry(modified, size, loaded));
        return loaded;
    }

    private static String describe(Exception e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}

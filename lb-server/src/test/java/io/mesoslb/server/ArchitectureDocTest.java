package io.mesoslb.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps ARCHITECTURE.md true: every class, method, package and module it names in backquotes
 * exists in the code. A rename that forgets the page fails here.
 */
class ArchitectureDocTest {
    /** Netty's, named where they sit in a pipeline. */
    private static final Set<String> EXTERNAL = Set.of("HttpServerCodec", "SslHandler", "Http2FrameCodec",
            "Http2MultiplexHandler");
    private static final Pattern QUOTED = Pattern.compile("`([^`]+)`");
    private static final Pattern CLASS = Pattern.compile("([A-Z][A-Za-z0-9]*)(?:\\.([a-z][A-Za-z0-9]*))?(?:\\(\\))?");
    private static final Pattern PACKAGE = Pattern.compile("[a-z]+(?:\\.[a-z]+)*");
    private static final Pattern MODULE = Pattern.compile("lb-[a-z]+");

    private static Path root;
    private static String page;
    private static final Map<String, Path> sources = new HashMap<>();

    @BeforeAll
    static void read() throws IOException {
        root = Path.of("").toAbsolutePath().getParent();
        page = Files.readString(root.resolve("ARCHITECTURE.md"));
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/"))
                    .forEach(p -> sources.put(p.getFileName().toString().replace(".java", ""), p));
        }
    }

    private static List<String> quoted() {
        List<String> names = new ArrayList<>();
        Matcher m = QUOTED.matcher(page);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void everyClassAndMethodItNamesExists() throws IOException {
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (String name : quoted()) {
            Matcher m = CLASS.matcher(name);
            if (!m.matches() || EXTERNAL.contains(m.group(1)) || name.equals(name.toUpperCase())) {
                continue;
            }
            checked++;
            Path source = sources.get(m.group(1));
            if (source == null) {
                missing.add(name);
            } else if (m.group(2) != null && !Files.readString(source).contains(" " + m.group(2) + "(")) {
                missing.add(name + " (no such method in " + root.relativize(source) + ")");
            }
        }
        assertThat(checked).as("classes named on the page").isGreaterThan(40);
        assertThat(missing).as("named in ARCHITECTURE.md, missing from the code").isEmpty();
    }

    @Test
    void everyPackageAndModuleItNamesExists() {
        Path server = root.resolve("lb-server/src/main/java/io/mesoslb/server");
        List<String> missing = new ArrayList<>();
        for (String name : quoted()) {
            if (MODULE.matcher(name).matches()) {
                if (!Files.isRegularFile(root.resolve(name).resolve("pom.xml"))) {
                    missing.add(name);
                }
            } else if (PACKAGE.matcher(name).matches() && !name.equals("io.mesoslb.server")
                    && !Files.isRegularFile(root.resolve(name).resolve("pom.xml"))) {
                if (!Files.isDirectory(server.resolve(name.replace('.', '/')))) {
                    missing.add(name);
                }
            }
        }
        assertThat(missing).as("named in ARCHITECTURE.md, missing from the code").isEmpty();
    }
}

package io.mesoslb.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reference data that came from public sources (Marathon API payloads, marathon-lb's own test data)
 * lives in {@code shared/} beside the checkout, where CI puts it too, and is read there: the project
 * keeps none of it. Found by walking up from the working directory (a module runs its tests in its
 * own directory); from a git worktree elsewhere, beside the main checkout its {@code .git} file
 * names.
 */
public final class SharedData {
    private SharedData() {
    }

    /** {@code shared/<relative>}, or null when there is none beside this checkout. */
    public static Path find(String relative) {
        try {
            for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
                Path candidate = p.resolve("shared").resolve(relative);
                if (Files.exists(candidate)) {
                    return candidate;
                }
                Path git = p.resolve(".git");
                if (Files.isRegularFile(git)) {
                    // A worktree: "gitdir: <main>/.git/worktrees/<name>"; the data is beside <main>.
                    String line = Files.readString(git).strip();
                    if (line.startsWith("gitdir:")) {
                        Path main = Path.of(line.substring(7).strip()).getParent().getParent().getParent();
                        Path beside = main.getParent() == null ? null : main.getParent().resolve("shared").resolve(relative);
                        return beside != null && Files.exists(beside) ? beside : null;
                    }
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code shared/<relative>}; fails with a message saying where it was looked for when it is missing. */
    public static Path require(String relative) {
        Path found = find(relative);
        if (found == null) {
            throw new IllegalStateException("shared/" + relative + " is not beside this checkout (looked upwards from "
                    + Path.of("").toAbsolutePath() + "): the reference data is read in place, never copied in");
        }
        return found;
    }
}

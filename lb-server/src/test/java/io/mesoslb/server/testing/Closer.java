package io.mesoslb.server.testing;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Closes what a test opened, last opened first, after each test ({@code @RegisterExtension}). */
public final class Closer implements AfterEachCallback {
    private final List<AutoCloseable> resources = new ArrayList<>();

    public <T extends AutoCloseable> T use(T resource) {
        resources.add(resource);
        return resource;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        resources.clear();
    }
}

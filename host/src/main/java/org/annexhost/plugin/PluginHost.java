package org.annexhost.plugin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.annexhost.api.ApiVersion;
import org.annexhost.api.StorageBackendFactory;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads storage plugins with PF4J from plugin folders, each in its own class loader, and collects
 * their {@link StorageBackendFactory} extensions into a {@link BackendTypeRegistry}. The host's
 * API version is PF4J's system version, so {@code Plugin-Requires} is enforced; every plugin that
 * cannot be used is reported with its id, its file and the reason, never silently dropped.
 *
 * <p>One per process; start once, close at exit. Not thread-safe during start.
 */
public final class PluginHost implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PluginHost.class);

    private final List<Path> folders;
    private final List<String> problems = new ArrayList<>();
    private PluginManager manager;

    /** @param folders plugin folders; missing ones are skipped */
    public PluginHost(List<Path> folders) {
        this.folders = List.copyOf(folders);
    }

    /**
     * Loads and starts every plugin found, and builds the registry of remote types.
     *
     * @param builtIn factories that ship inside the host
     */
    public BackendTypeRegistry start(List<StorageBackendFactory> builtIn) {
        List<Path> existing = folders.stream().filter(Files::isDirectory).toList();
        Map<String, BackendTypeRegistry.Entry> types = new HashMap<>();
        for (StorageBackendFactory f : builtIn) {
            types.put(f.type(), new BackendTypeRegistry.Entry(f, "built in"));
        }
        if (existing.isEmpty()) {
            return new BackendTypeRegistry(types);
        }
        manager = new DefaultPluginManager(existing);
        manager.setSystemVersion(ApiVersion.CURRENT);
        manager.loadPlugins();
        manager.startPlugins();
        for (PluginWrapper w : manager.getPlugins()) {
            if (w.getPluginState() != PluginState.STARTED) {
                problems.add(describeFailure(w));
                continue;
            }
            for (StorageBackendFactory f : manager.getExtensions(StorageBackendFactory.class, w.getPluginId())) {
                String origin = "plugin " + w.getPluginId() + " (" + w.getPluginPath() + ")";
                BackendTypeRegistry.Entry old = types.putIfAbsent(f.type(), new BackendTypeRegistry.Entry(f, origin));
                if (old != null) {
                    problems.add("remote type " + f.type() + " of " + origin + " ignored: already provided by " + old.origin());
                }
            }
        }
        problems.forEach(p -> LOG.warn("{}", p));
        return new BackendTypeRegistry(types);
    }

    private static String describeFailure(PluginWrapper w) {
        String requires = w.getDescriptor().getRequires();
        String why;
        if (w.getFailedException() != null) {
            why = w.getFailedException().getMessage();
        } else if (w.getPluginState() == PluginState.DISABLED) {
            why = "it requires plugin API " + requires + ", this host provides " + ApiVersion.CURRENT;
        } else {
            why = "state " + w.getPluginState();
        }
        return "plugin " + w.getPluginId() + " (" + w.getPluginPath() + ") not loaded: " + why;
    }

    /** @return every plugin that could not be used, with the reason */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    @Override
    public void close() {
        if (manager != null) {
            manager.stopPlugins();
            manager.unloadPlugins();
        }
    }
}

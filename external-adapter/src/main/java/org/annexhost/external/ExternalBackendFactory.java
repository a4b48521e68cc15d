package org.annexhost.external;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.annexhost.api.BackendConfig;
import org.annexhost.api.BackendContext;
import org.annexhost.api.BackendException;
import org.annexhost.api.ConfigParameter;
import org.annexhost.api.StorageBackend;
import org.annexhost.api.StorageBackendFactory;
import org.annexhost.external.message.Request;
import org.annexhost.external.message.Response;
import org.annexhost.external.process.ExternalProcess;
import org.annexhost.external.process.StderrLog;

/**
 * The {@code external} remote type: any {@code git-annex-remote-NAME} program, named by
 * {@code externaltype=NAME}, driven exactly as git-annex drives it. Built into the host.
 * Stateless and thread-safe.
 */
public final class ExternalBackendFactory implements StorageBackendFactory {
    /** Where to find the program instead of PATH. */
    static final String PROGRAM = "annexhost-program";
    /** How many processes may run at once. */
    static final String PROCESSES = "annexhost-processes";
    /** How long a remote may stay silent when a reply is due, in seconds. */
    static final String TIMEOUT = "annexhost-timeout";

    @Override
    public String type() {
        return "external";
    }

    @Override
    public List<ConfigParameter> parameters() {
        return List.of(
                ConfigParameter.required("externaltype", "NAME of the git-annex-remote-NAME program"),
                ConfigParameter.optional(PROGRAM, "path of the program, instead of finding it on PATH", null),
                ConfigParameter.optional(PROCESSES, "processes to run at once", "2"),
                ConfigParameter.optional(TIMEOUT, "seconds a remote may stay silent when a reply is due", "300"));
    }

    @Override
    public BackendConfig initialize(BackendConfig config, BackendContext context) throws BackendException {
        ExternalProgram program = program(config, context);
        HostQueries queries = new HostQueries(context);
        ExternalProcess p = null;
        try {
            p = program.start(queries).process();
            Response r = new ExternalConversation(p, queries, program.timeout()).request(new Request.InitRemote());
            if (r instanceof Response.InitRemoteFailure f) {
                throw new BackendException("external remote " + config.remoteName() + ": INITREMOTE failed: " + f.error());
            }
            if (!(r instanceof Response.InitRemoteSuccess)) {
                throw new BackendException("external remote " + config.remoteName() + " answered INITREMOTE with " + r);
            }
            Map<String, String> values = new HashMap<>(config.values());
            values.putAll(queries.configChanges());
            return new BackendConfig(config.remoteName(), values, java.util.Set.of());
        } catch (IOException e) {
            throw new BackendException(e.getMessage(), e);
        } finally {
            if (p != null) {
                p.close();
            }
        }
    }

    @Override
    public StorageBackend open(BackendConfig config, BackendContext context) throws BackendException {
        ExternalProgram program = program(config, context);
        int processes = number(config, PROCESSES, 2);
        ProcessPool pool = new ProcessPool(program, new HostQueries(context), processes, program.timeout(),
                Clock.systemUTC(), context.events());
        return new ExternalBackend(config.remoteName(), pool, context.tempDirectory());
    }

    private static ExternalProgram program(BackendConfig config, BackendContext context) throws BackendException {
        String type = config.require("externaltype");
        if (!type.matches("[A-Za-z0-9._+-]+")) {
            throw new BackendException("remote " + config.remoteName() + ": externaltype=" + type + " is not a program name");
        }
        String command = config.get(PROGRAM).orElse("git-annex-remote-" + type);
        Path workDir = context.gitDirectory().orElse(context.tempDirectory());
        Map<String, String> env = new HashMap<>(System.getenv());
        Duration timeout = Duration.ofSeconds(number(config, TIMEOUT, 300));
        return new ExternalProgram(command, workDir, env, config.remoteName(),
                new StderrLog(context.logger(), config.remoteName()), timeout);
    }

    private static int number(BackendConfig config, String name, int dflt) throws BackendException {
        Optional<String> v = config.get(name);
        if (v.isEmpty()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.get());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BackendException("remote " + config.remoteName() + ": " + name + "=" + v.get() + " is not a positive number");
        }
    }
}

package org.annexhost.api.contract;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.annexhost.api.Capability;
import org.annexhost.api.Presence;
import org.annexhost.api.StorageBackend;
import org.annexhost.api.content.Content;
import org.annexhost.api.key.Key;

/**
 * Runs every check of a contract against one backend and tells what passed, failed and was
 * skipped, ending with {@code N passed, N failed, N skipped}. A check that does not apply is
 * skipped with its reason, never counted as passed. Every key a check stored (or began to store)
 * is removed at the end, whether the checks passed or aborted half-way, so a run leaves the remote
 * as it found it (unless asked to keep them, for debugging); one that cannot be removed is a
 * failure, named. Not thread-safe.
 *
 * @since 0.1
 */
public final class ContractReport {
    private final List<String> passed = new ArrayList<>();
    private final List<String> failed = new ArrayList<>();
    private final List<String> failedBeyondGitAnnex = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();
    private final Set<Key> leftBehind = new LinkedHashSet<>();

    /** @return a report of running every check, printing a line per check as it goes; test keys removed */
    public static ContractReport run(List<ContractCheck> checks, StorageBackend backend, PrintStream out) {
        return run(checks, backend, out, false);
    }

    /**
     * @param keep true to leave the keys the checks stored in the remote (they are listed)
     * @return a report of running every check, printing a line per check as it goes
     * @since 0.2
     */
    public static ContractReport run(List<ContractCheck> checks, StorageBackend backend, PrintStream out, boolean keep) {
        ContractReport r = new ContractReport();
        Recording recording = new Recording(backend);
        try {
            r.runAll(checks, recording, out);
        } finally {
            if (keep) {
                for (Key k : recording.stored) {
                    if (!backend.checkPresent(k).equals(Presence.absent())) {
                        r.leftBehind.add(k);
                    }
                }
            } else {
                r.cleanUp(recording, out);
            }
        }
        if (!r.leftBehind.isEmpty()) {
            out.println((keep ? "kept " : "could not remove ") + r.leftBehind.size() + " test keys: " + r.leftBehind);
        }
        if (!r.failed.isEmpty() && r.failed.size() == r.failedBeyondGitAnnex.size()) {
            out.println("only checks of what git-annex never does failed (" + String.join("; ", r.failedBeyondGitAnnex)
                    + "): git-annex itself can use this remote");
        }
        out.println(r.summary());
        return r;
    }

    private void runAll(List<ContractCheck> checks, Recording recording, PrintStream out) {
        ContractReport r = this;
        for (ContractCheck c : checks) {
            boolean[] skip = {false};
            try {
                c.run(recording, reason -> {
                    skip[0] = true;
                    r.skipped.add(c.name() + ": " + reason);
                    out.println("  " + c.name() + ": skipped: " + reason);
                });
                if (!skip[0]) {
                    r.passed.add(c.name());
                    out.println("  " + c.name() + ": ok");
                }
            } catch (Throwable t) {
                String why = t.getMessage() == null ? t.toString() : t.getMessage();
                r.failed.add(c.name() + ": " + why);
                if (c.beyondGitAnnex()) {
                    r.failedBeyondGitAnnex.add(c.name());
                }
                out.println("  " + c.name() + ": FAILED: " + why);
            }
        }
    }

    /** Removes what the check stored; a key that stays is a failure of its own, and named. */
    private void cleanUp(Recording recording, PrintStream out) {
        List<Key> keys;
        synchronized (recording.stored) {
            keys = List.copyOf(recording.stored);
        }
        for (Key k : keys) {
            String why = null;
            try {
                recording.backend.remove(k);
                if (recording.backend.checkPresent(k).equals(Presence.present())) {
                    why = "still present after remove";
                }
            } catch (IOException | RuntimeException e) {
                why = e.getMessage() == null ? e.toString() : e.getMessage();
            }
            if (why != null) {
                leftBehind.add(k);
                failed.add("removing test key " + k + ": " + why);
                out.println("  removing test key " + k + ": FAILED: " + why);
            }
        }
    }

    /** @return {@code N passed, N failed, N skipped} */
    public String summary() {
        return passed.size() + " passed, " + failed.size() + " failed, " + skipped.size() + " skipped";
    }

    /** @return the failed checks with their reasons */
    public List<String> failures() {
        return List.copyOf(failed);
    }

    /**
     * @return the skipped checks with their reasons
     * @since 0.2
     */
    public List<String> skips() {
        return List.copyOf(skipped);
    }

    /**
     * @return the names of the checks that passed
     * @since 0.2
     */
    public List<String> passes() {
        return List.copyOf(passed);
    }

    /**
     * @return test keys still in the remote after the run (kept on request, or not removable)
     * @since 0.2
     */
    public Set<Key> leftBehind() {
        return Set.copyOf(leftBehind);
    }

    /** @return true if nothing failed (a test key that could not be removed is a failure) */
    public boolean ok() {
        return failed.isEmpty();
    }

    /** The backend under test, remembering every key a check stored (or began to store). */
    private static final class Recording implements StorageBackend {
        private final StorageBackend backend;
        private final Set<Key> stored = new LinkedHashSet<>();

        Recording(StorageBackend backend) {
            this.backend = backend;
        }

        @Override
        public Set<Capability> capabilities() {
            return backend.capabilities();
        }

        @Override
        public void store(Key key, Content content, long offset) throws IOException {
            synchronized (stored) {
                stored.add(key);
            }
            backend.store(key, content, offset);
        }

        @Override
        public java.util.OptionalLong partialSize(Key key) throws IOException {
            return backend.partialSize(key);
        }

        @Override
        public Content retrieve(Key key, long offset) throws IOException {
            return backend.retrieve(key, offset);
        }

        @Override
        public Presence checkPresent(Key key) {
            return backend.checkPresent(key);
        }

        @Override
        public void remove(Key key) throws IOException {
            backend.remove(key);
        }
    }
}

package org.annexhost.api.contract;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.annexhost.api.StorageBackend;

/**
 * Runs every check of a contract against one backend and tells what passed and failed, ending
 * with {@code N passed, N failed}. Not thread-safe.
 *
 * @since 0.1
 */
public final class ContractReport {
    private final List<String> passed = new ArrayList<>();
    private final List<String> failed = new ArrayList<>();

    /** @return a report of running every check, printing a line per check as it goes */
    public static ContractReport run(List<ContractCheck> checks, StorageBackend backend, PrintStream out) {
        ContractReport r = new ContractReport();
        for (ContractCheck c : checks) {
            try {
                c.run(backend);
                r.passed.add(c.name());
                out.println("  " + c.name() + ": ok");
            } catch (Throwable t) {
                String why = t.getMessage() == null ? t.toString() : t.getMessage();
                r.failed.add(c.name() + ": " + why);
                out.println("  " + c.name() + ": FAILED: " + why);
            }
        }
        out.println(r.summary());
        return r;
    }

    /** @return {@code N passed, N failed} */
    public String summary() {
        return passed.size() + " passed, " + failed.size() + " failed";
    }

    /** @return the failed checks with their reasons */
    public List<String> failures() {
        return List.copyOf(failed);
    }

    /** @return true if nothing failed */
    public boolean ok() {
        return failed.isEmpty();
    }
}

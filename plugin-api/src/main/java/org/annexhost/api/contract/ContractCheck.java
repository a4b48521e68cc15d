package org.annexhost.api.contract;

import org.annexhost.api.StorageBackend;

/**
 * One named check of the storage contract. It throws (an {@link AssertionError} or an exception)
 * when the backend breaks the contract, with a message that says what was expected. A check that
 * does not apply to a backend says so with {@link #skip}: it is then reported as skipped with the
 * reason, never as passed.
 *
 * @param name what is checked, e.g. {@code store then present}
 * @param body the check
 * @param beyondGitAnnex true for a check of something git-annex itself never asks of a remote
 *     (such as storing one key from two places at once): a remote that fails only these is still
 *     usable by git-annex
 * @since 0.1
 */
public record ContractCheck(String name, Body body, boolean beyondGitAnnex) {
    /** The code of a check. */
    @FunctionalInterface
    public interface Body {
        /** Runs the check against a backend. */
        void run(StorageBackend backend) throws Exception;
    }

    /** Told why a check was skipped; a test framework's abort fits (JUnit's {@code Assumptions::abort}). */
    @FunctionalInterface
    public interface SkipHandler {
        /** @param reason why the check did not apply */
        void skipped(String reason);
    }

    /**
     * Thrown by a check that does not apply to the backend.
     *
     * @since 0.2
     */
    public static final class Skipped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Skipped(String reason) {
            super(reason, null, false, false);
        }
    }

    /** A check of what git-annex asks of every remote. */
    public ContractCheck(String name, Body body) {
        this(name, body, false);
    }

    /**
     * Ends a check that does not apply to the backend.
     *
     * @param reason why, e.g. "the backend does not resume stores"
     * @return never returns
     * @since 0.2
     */
    public static Skipped skip(String reason) {
        throw new Skipped(reason);
    }

    /**
     * Runs the check.
     *
     * @throws Skipped if it does not apply to this backend
     */
    public void run(StorageBackend backend) throws Exception {
        body.run(backend);
    }

    /**
     * Runs the check, telling the handler if it was skipped.
     *
     * @since 0.2
     */
    public void run(StorageBackend backend, SkipHandler onSkip) throws Exception {
        try {
            body.run(backend);
        } catch (Skipped s) {
            onSkip.skipped(s.getMessage());
        }
    }
}

package org.annexhost.api.contract;

import org.annexhost.api.StorageBackend;

/**
 * One named check of the storage contract. It throws (an {@link AssertionError} or an exception)
 * when the backend breaks the contract, with a message that says what was expected.
 *
 * @param name what is checked, e.g. {@code store then present}
 * @param body the check
 * @since 0.1
 */
public record ContractCheck(String name, Body body) {
    /** The code of a check. */
    @FunctionalInterface
    public interface Body {
        /** Runs the check against a backend. */
        void run(StorageBackend backend) throws Exception;
    }

    /** Runs the check. */
    public void run(StorageBackend backend) throws Exception {
        body.run(backend);
    }
}

package org.annexhost.api;

/**
 * Optional abilities of a {@link StorageBackend}.
 *
 * @since 0.1
 */
public enum Capability {
    /** {@link StorageBackend#retrieve} yields bytes in order while it reads, so the host can stream them on at once. */
    RETRIEVES_IN_ORDER,
    /** An interrupted store can be resumed from {@link StorageBackend#partialSize}. */
    RESUMABLE_STORE,
    /** The backend checks content against the key itself, so the host need not. */
    VERIFIES_CONTENT
}

/**
 * The storage contract kit: the checks every backend must pass ({@link
 * org.annexhost.api.contract.StorageContract}), a report that ends {@code N passed, N failed},
 * a strict in-memory reference backend, and a backend context for a plugin's own tests ({@link
 * org.annexhost.api.contract.MemoryContext}, the one test double of the host's side). Plain Java, no test framework: plugin authors run the
 * checks from their own JUnit tests, and {@code annexhost testremote} runs them on a configured
 * remote.
 */
package org.annexhost.api.contract;

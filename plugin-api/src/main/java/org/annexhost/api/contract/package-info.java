/**
 * The storage contract kit: the checks every backend must pass ({@link
 * org.annexhost.api.contract.StorageContract}), a report that ends {@code N passed, N failed},
 * and a strict in-memory reference backend. Plain Java, no test framework: plugin authors run the
 * checks from their own JUnit tests, and {@code annexhost testremote} runs them on a configured
 * remote.
 */
package org.annexhost.api.contract;

/**
 * Content locks for LOCKCONTENT: shared by every process serving a repository, kept for the
 * retention period when a holder vanishes, surviving a restart. Knows nothing of transports.
 */
package org.annexhost.lock;

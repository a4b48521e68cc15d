/**
 * The git-annex branch: reading and writing it with git plumbing, and the log formats the host
 * writes there (uuid log, location log). Knows nothing of transports.
 */
package org.annexhost.repo.branch;

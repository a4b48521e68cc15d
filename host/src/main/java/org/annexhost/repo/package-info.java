/**
 * The host repository: a git repository that is a git-annex repository, its content in
 * git-annex's layout, its uploads, removals and git services. Knows nothing of transports.
 */
package org.annexhost.repo;

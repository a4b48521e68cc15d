/**
 * Special remotes configured on the host: their definitions (git config plus the branch's
 * remote.log), their private state and credentials, and their publication to clients.
 */
package org.annexhost.remote;

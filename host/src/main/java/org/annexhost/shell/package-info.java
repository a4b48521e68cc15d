/**
 * The git-annex-shell drop-in: command-line parsing, the environment's restrictions, and running
 * the protocol server over stdio. An adapter: depends on the protocol core, never the reverse.
 */
package org.annexhost.shell;

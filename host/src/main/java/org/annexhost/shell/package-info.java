/**
 * The git-annex-shell drop-in: command-line parsing, the environment's restrictions, and serving
 * over stdio the peer the repository's resolver gives for the requested uuid and the
 * environment's rights; the hand-over of ssh clients to a running host. An adapter: depends on
 * the protocol core and peers, never the reverse.
 */
package org.annexhost.shell;

/** The command line and composition root: the only place that builds and wires collaborators. */
package org.annexhost.cli;

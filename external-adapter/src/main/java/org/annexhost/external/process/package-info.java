/** Running external remote programs with Apache Commons Exec: their streams, stderr and death. */
package org.annexhost.external.process;

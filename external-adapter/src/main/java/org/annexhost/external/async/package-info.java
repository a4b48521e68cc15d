/** The ASYNC extension of the external special remote protocol: many jobs on one process. */
package org.annexhost.external.async;

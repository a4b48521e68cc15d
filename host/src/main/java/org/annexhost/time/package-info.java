/** Time as a dependency: the monotonic clock behind GETTIMESTAMP, REMOVE-BEFORE and lock retention. */
package org.annexhost.time;

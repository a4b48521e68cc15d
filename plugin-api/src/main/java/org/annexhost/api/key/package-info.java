/** git-annex keys: parsing, printing, safety rules and the hash functions that verify content. */
package org.annexhost.api.key;

package org.annexhost.api.key;

/**
 * A string that is not a git-annex key, or a key that is not safe to use as a file name.
 * The message names the offending text and says what is wrong with it.
 *
 * @since 0.1
 */
public final class InvalidKeyException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** @param message what was wrong, naming the rejected text */
    public InvalidKeyException(String message) {
        super(message);
    }
}

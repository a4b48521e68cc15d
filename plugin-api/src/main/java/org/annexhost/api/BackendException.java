package org.annexhost.api;

/**
 * A backend cannot be opened: bad or missing configuration, unreachable storage. The message
 * names the parameter or resource.
 *
 * @since 0.1
 */
public class BackendException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, naming the parameter */
    public BackendException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong
     * @param cause the underlying failure
     */
    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}

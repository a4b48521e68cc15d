package org.annexhost.shell;

/** A refused or malformed shell command; its message goes to stderr and the exit code is 1. */
public final class ShellException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message what was refused and why */
    public ShellException(String message) {
        super(message);
    }
}

package org.annexhost.external.message;

/** {@code ERROR ErrorMsg}: either side gives up on the conversation. */
public record ExceptionalMessage(String error) implements FromRemote {
}

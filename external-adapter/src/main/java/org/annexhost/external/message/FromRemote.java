package org.annexhost.external.message;

/** Everything an external remote may send: a response, a request of its own, or ERROR. */
public sealed interface FromRemote permits Response, RemoteRequest, ExceptionalMessage {
}

package org.annexhost.p2p.server;

import java.io.IOException;
import java.util.Optional;
import org.annexhost.api.content.Content;
import org.annexhost.p2p.message.Message;
import org.annexhost.p2p.message.Verb;
import org.annexhost.p2p.transport.ForwardingConnection;
import org.annexhost.p2p.transport.P2PConnection;

/**
 * A server's connection as its {@link ServerEvents} see it: the answer to the current request
 * (the last reply sent since it began, VALID and INVALID aside, which only close a DATA: a PUT's
 * answer is its SUCCESS rather than its PUT-FROM, a GET's its DATA), and the content bytes each
 * way. Used by one serving thread.
 */
final class ObservedConnection extends ForwardingConnection {
    private final ServerEvents events;
    private Verb answer;

    ObservedConnection(P2PConnection c, ServerEvents events) {
        super(c);
        this.events = events;
    }

    /** A new request was read: its answer is yet to come. */
    void beginRequest() {
        answer = null;
    }

    /** @return the verb of the request's answer so far, if any was sent since {@link #beginRequest} */
    Optional<Verb> answer() {
        return Optional.ofNullable(answer);
    }

    @Override
    public Optional<Message> receive() throws IOException {
        Optional<Message> m = delegate.receive();
        if (m.isPresent() && m.get() instanceof Message.Data d) {
            events.contentReceived(d.length());
        }
        return m;
    }

    @Override
    public void send(Message message) throws IOException {
        noteReply(message.verb());
        delegate.send(message);
    }

    @Override
    public void sendContent(Content content) throws IOException {
        noteReply(Verb.DATA);
        delegate.sendContent(content);
        events.contentSent(content.length());
    }

    private void noteReply(Verb v) {
        if (v != Verb.VALID && v != Verb.INVALID) {
            answer = v;
        }
    }
}

package org.annexhost.shell;

import java.io.IOException;
import java.util.Optional;
import org.annexhost.access.Quotas;
import org.annexhost.p2p.message.Message;
import org.annexhost.p2p.transport.ForwardingConnection;
import org.annexhost.p2p.transport.P2PConnection;
import org.annexhost.p2p.transport.ProtocolException;

/**
 * The ssh front door's part in quotas: a PUT whose key declares a size that would pass a limit is
 * answered {@code ERROR quota exceeded: ...} here, before the server sees it and before any data
 * moves; a PUT of a key with no size is judged by its DATA's length, and refused by ending the
 * conversation. A store counts once the server answered SUCCESS; a removal frees it. Not
 * thread-safe: one conversation's own thread uses it.
 */
final class QuotaConnection extends ForwardingConnection {
    private final Quotas quotas;
    private final Optional<String> user;
    private final Optional<String> remote;
    private Message.Put putting;
    private Quotas.Admission admission;
    private org.annexhost.api.key.Key removing;

    /**
     * @param c the conversation, as recorded (a refusal sent through it is recorded as one)
     */
    QuotaConnection(P2PConnection c, Quotas quotas, Optional<String> user, Optional<String> remote) {
        super(c);
        this.quotas = quotas;
        this.user = user;
        this.remote = remote;
    }

    @Override
    public Optional<Message> receive() throws IOException {
        while (true) {
            Optional<Message> m = delegate.receive();
            if (m.isEmpty()) {
                return m;
            }
            Message msg = m.get();
            if (msg instanceof Message.Put p) {
                end();
                if (p.key().size().isPresent()) {
                    Quotas.Admission a = quotas.admit(user, remote, p.key(), p.key().size().getAsLong());
                    if (a.refusal().isPresent()) {
                        delegate.send(new Message.Error(a.refusal().get()));
                        continue; // the server never hears of it
                    }
                    admission = a;
                }
                putting = p;
            } else if (msg instanceof Message.Data d && putting != null && admission == null) {
                Quotas.Admission a = quotas.admit(user, remote, putting.key(), d.length());
                if (a.refusal().isPresent()) {
                    delegate.send(new Message.Error(a.refusal().get()));
                    throw new ProtocolException(a.refusal().get());
                }
                admission = a;
            } else if (msg instanceof Message.Remove r) {
                removing = r.key();
            } else if (msg instanceof Message.RemoveBefore r) {
                removing = r.key();
            }
            return m;
        }
    }

    @Override
    public void send(Message message) throws IOException {
        delegate.send(message);
        if (removing != null && message instanceof Message.Success) {
            quotas.removed(remote, removing);
            removing = null;
        } else if (removing != null) {
            removing = null;
        }
        if (putting != null && !(message instanceof Message.PutFrom)) {
            if (admission != null && (message instanceof Message.Success || message instanceof Message.SuccessPlus)) {
                admission.stored();
            }
            end();
        }
    }

    private void end() throws IOException {
        putting = null;
        if (admission != null) {
            admission.close();
            admission = null;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            end();
        } finally {
            super.close();
        }
    }
}

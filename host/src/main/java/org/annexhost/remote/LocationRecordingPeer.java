package org.annexhost.remote;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.message.Message;
import org.annexhost.p2p.transport.ForwardingConnection;
import org.annexhost.p2p.transport.P2PConnection;
import org.annexhost.p2p.server.ContentListener;
import org.annexhost.peer.Peer;

/**
 * A repository behind the gateway whose conversations keep the host's location log up to date:
 * the gateway watches what it asks for (PUT, REMOVE, REMOVE-BEFORE) and what the repository
 * answers, whoever is asking (the shell's relay, an HTTP request). A PUT is recorded on its
 * SUCCESS; a REMOVE is recorded when it is sent, and taken back on FAILURE (see
 * {@link ContentListener} for the order). A record that cannot be written breaks the
 * conversation before the answer reaches the client.
 */
final class LocationRecordingPeer implements Peer {
    private final Peer peer;
    private final ContentListener log;

    LocationRecordingPeer(Peer peer, ContentListener log) {
        this.peer = peer;
        this.log = log;
    }

    @Override
    public Uuid uuid() {
        return peer.uuid();
    }

    @Override
    public String name() {
        return peer.name();
    }

    @Override
    public P2PConnection connect() throws IOException {
        return new Watched(peer.connect());
    }

    private record Pending(Key key, boolean put) {
    }

    /** The gateway's end of one conversation, remembering the request whose answer it awaits. */
    private final class Watched extends ForwardingConnection {
        /** The PUT or REMOVE awaiting its answer; sent and received on different threads in a relay. */
        private volatile Pending pending;

        Watched(P2PConnection c) {
            super(c);
        }

        @Override
        public void send(Message m) throws IOException {
            if (m instanceof Message.Put p) {
                expect(p.key(), true);
            } else if (m instanceof Message.Remove r) {
                removing(r.key());
            } else if (m instanceof Message.RemoveBefore r) {
                removing(r.key());
            } else if (!(m instanceof Message.Data || m instanceof Message.Validity || m instanceof Message.DataPresent)) {
                pending = null; // any other request: what follows is not a PUT's or REMOVE's answer
            }
            super.send(m);
        }

        @Override
        public Optional<Message> receive() throws IOException {
            Optional<Message> m = super.receive();
            Pending p = pending;
            if (p != null && m.isPresent()) {
                Message answer = m.get();
                if (answer instanceof Message.Success || answer instanceof Message.SuccessPlus) {
                    if (p.put()) {
                        log.added(p.key(), List.of(peer.uuid()));
                    }
                    pending = null;
                } else if (!(answer instanceof Message.PutFrom)) {
                    if (!p.put() && (answer instanceof Message.Failure || answer instanceof Message.FailurePlus)) {
                        log.added(p.key(), List.of(peer.uuid())); // it kept the content
                    }
                    pending = null; // ALREADY-HAVE, ERROR: nothing changed there (an ERROR: not known)
                }
            }
            return m;
        }

        private void expect(Key k, boolean put) {
            pending = new Pending(k, put);
        }

        /** The record first: a crash before the answer leaves a copy unclaimed, never a claim without one. */
        private void removing(Key k) throws IOException {
            log.removed(k, List.of(peer.uuid()));
            expect(k, false);
        }
    }
}

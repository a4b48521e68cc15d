package org.annexhost.activity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import org.annexhost.api.content.Content;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.message.Message;
import org.annexhost.p2p.message.ProtocolVersion;
import org.annexhost.p2p.server.ServerMode;
import org.annexhost.p2p.transport.P2PConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a served ssh conversation is recorded as: here, the content locks it holds, for the status page. */
class RecordedConnectionTest {
    static final Key KEY = Key.parse("SHA256E-s5--2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    @TempDir
    Path git;

    /** The client's side, scripted: what it sends, in order. */
    static final class Scripted implements P2PConnection {
        final Deque<Message> from = new ArrayDeque<>();

        public String name() {
            return "scripted";
        }

        public Optional<Message> receive() {
            return Optional.ofNullable(from.poll());
        }

        public void send(Message message) {
        }

        public void sendContent(Content content) {
        }

        public Content receivedContent() {
            return Content.empty();
        }

        public ProtocolVersion version() {
            return new ProtocolVersion(3);
        }

        public void setVersion(ProtocolVersion version) {
        }

        public boolean isClosed() {
            return false;
        }

        public void close() {
        }
    }

    @Test
    void aLockIsHeldFromItsSuccessUntilUnlockOrTheConversationsEnd() throws Exception {
        Activity activity = new Activity(java.time.Clock.systemUTC());
        Scripted client = new Scripted();
        client.from.add(new Message.LockContent(KEY));
        client.from.add(new Message.UnlockContent());
        client.from.add(new Message.LockContent(KEY));
        RecordedConnection c = new RecordedConnection(client, activity, "alice", "-", Place.repository("r.git", git),
                ServerMode.READ_WRITE);
        c.receive();
        assertThat(activity.locksHeld()).isZero();
        c.send(new Message.Success());
        assertThat(activity.locksHeld()).isEqualTo(1);
        c.receive();
        assertThat(activity.locksHeld()).isZero();
        c.receive();
        c.send(new Message.Success());
        assertThat(activity.locksHeld()).isEqualTo(1);
        c.close(); // the client went away holding it: the server lets go, so does the count
        assertThat(activity.locksHeld()).isZero();
        // A refused lock is no lock.
        Scripted other = new Scripted();
        other.from.add(new Message.LockContent(KEY));
        RecordedConnection d = new RecordedConnection(other, activity, "bob", "-", Place.repository("r.git", git), ServerMode.READ_WRITE);
        d.receive();
        d.send(new Message.Failure());
        assertThat(activity.locksHeld()).isZero();
        d.close();
    }
}

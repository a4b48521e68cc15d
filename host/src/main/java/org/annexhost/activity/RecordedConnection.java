package org.annexhost.activity;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.annexhost.api.content.Content;
import org.annexhost.p2p.message.Message;
import org.annexhost.p2p.server.ServerMode;
import org.annexhost.p2p.transport.ForwardingConnection;
import org.annexhost.p2p.transport.P2PConnection;

/**
 * A served P2P conversation as {@link Activity} records it, seen from the server's side of its
 * connection, so that it holds whatever peer answers (the repository, a proxied remote, a
 * cluster): each PUT, REMOVE, REMOVE-BEFORE and LOCKCONTENT paired with its answer is a
 * {@link Change}; content received and sent is a transfer while it moves; and {@link #close}
 * logs the conversation's one line. Used by the one thread serving the conversation.
 */
public final class RecordedConnection extends ForwardingConnection {
    private final Activity activity;
    private final String id;
    private final String user;
    private final String client;
    private final Place place;
    private final ServerMode rights;
    private final long started = System.nanoTime();
    private Message pending;
    private String getting;
    private long pendingBytes;
    private Activity.Transfer transfer;
    private int requests;
    private long bytesIn;
    private long bytesOut;
    private String end = "ok";
    private boolean closed;
    private boolean locking;
    private java.util.function.Consumer<String> refused = why -> { };

    /**
     * @param c the conversation's connection
     * @param activity where it is recorded
     * @param user who is served (over ssh the account, with {@code --user} the user)
     * @param client the client's address, or {@code -}
     * @param place what serves it
     * @param rights the client's rights: an ERROR answering what they do not allow is a refusal
     */
    public RecordedConnection(P2PConnection c, Activity activity, String user, String client, Place place, ServerMode rights) {
        super(c);
        this.activity = activity;
        this.id = Activity.newId();
        this.user = user;
        this.client = client;
        this.place = place;
        this.rights = rights;
    }

    /**
     * @param tell told the reason of each PUT refused for want of rights, once the client has the
     *     protocol's answer: the ssh path prints it for the user, since git-annex shows the reason
     *     an ERROR gives for a REMOVE or LOCKCONTENT but not for a PUT
     * @return this
     */
    public RecordedConnection onRefusal(java.util.function.Consumer<String> tell) {
        this.refused = tell;
        return this;
    }

    /** @return the conversation's id */
    public String id() {
        return id;
    }

    /** Notes why the conversation broke, for its line. */
    public void broke(String why) {
        end = why;
    }

    @Override
    public Optional<Message> receive() throws IOException {
        Optional<Message> m = delegate.receive();
        if (m.isEmpty()) {
            return m;
        }
        Message msg = m.get();
        if (msg instanceof Message.Data d) {
            bytesIn += d.length();
            pendingBytes = d.length();
        } else if (msg instanceof Message.UnlockContent && locking) {
            locking = false;
            activity.lockHeld(-1);
            requests++;
        } else if (!(msg instanceof Message.Validity)) {
            requests++;
            getting = msg instanceof Message.Get g ? g.key().toString() : null;
            if (msg instanceof Message.Put || msg instanceof Message.Remove || msg instanceof Message.RemoveBefore
                    || msg instanceof Message.LockContent) {
                pending = msg;
                pendingBytes = 0;
            }
        }
        return m;
    }

    @Override
    public Content receivedContent() {
        Content c = delegate.receivedContent();
        if (!(pending instanceof Message.Put p)) {
            return c;
        }
        endTransfer();
        transfer = activity.transfer(id, place, p.key().toString(), true, c.length());
        return new Content(c.length(), transfer.counting(c.stream()));
    }

    @Override
    public void sendContent(Content content) throws IOException {
        bytesOut += content.length();
        if (getting == null) {
            delegate.sendContent(content);
            return;
        }
        try (Activity.Transfer t = activity.transfer(id, place, getting, false, content.length())) {
            delegate.sendContent(new Content(content.length(), t.counting(content.stream())));
        }
    }

    @Override
    public void send(Message message) throws IOException {
        delegate.send(message);
        // Recorded once the client has its answer: the record is for people, and must not delay it.
        if (pending != null) {
            answered(message);
        }
    }

    /** Pairs a reply with the request waiting for it. */
    private void answered(Message reply) {
        if (reply instanceof Message.PutFrom) {
            return; // the answer comes after the content
        }
        Message request = pending;
        pending = null;
        endTransfer();
        Change.Operation op = request instanceof Message.Put ? Change.Operation.STORE
                : request instanceof Message.LockContent ? Change.Operation.LOCK : Change.Operation.REMOVE;
        String key = (request instanceof Message.Put p ? p.key()
                : request instanceof Message.LockContent l ? l.key()
                : request instanceof Message.Remove r ? r.key() : ((Message.RemoveBefore) request).key()).toString();
        Change.Result result;
        String detail = "";
        if (reply instanceof Message.Success || reply instanceof Message.SuccessPlus) {
            result = Change.Result.DONE;
            if (request instanceof Message.LockContent && !locking) {
                locking = true;
                activity.lockHeld(1);
            }
        } else if (reply instanceof Message.AlreadyHave || reply instanceof Message.AlreadyHavePlus) {
            result = Change.Result.ALREADY;
        } else if (reply instanceof Message.Error e) {
            result = rights.refusal(request).isPresent() || e.text().startsWith(org.annexhost.access.Quotas.EXCEEDED)
                    ? Change.Result.REFUSED : Change.Result.FAILED;
            detail = e.text();
            if (result == Change.Result.REFUSED && request instanceof Message.Put) {
                refused.accept(e.text());
            }
        } else {
            result = Change.Result.FAILED;
        }
        record(op, key, result, detail);
    }

    private void record(Change.Operation op, String key, Change.Result result, String detail) {
        long bytes = op == Change.Operation.STORE ? pendingBytes : 0;
        activity.changed(new Change(activity.now(), id, "ssh", user, client, place, key, op, result, bytes, detail));
    }

    private void endTransfer() {
        if (transfer != null) {
            transfer.close();
            transfer = null;
        }
    }

    /** Logs the conversation's line, then closes the connection. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        endTransfer();
        if (locking) {
            locking = false;
            activity.lockHeld(-1);
        }
        activity.conversation(id, user, client, place, requests, bytesIn, bytesOut,
                Duration.ofNanos(System.nanoTime() - started), end);
        delegate.close();
    }
}

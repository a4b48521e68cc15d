package org.annexhost.p2p.client;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.annexhost.api.Uuid;
import org.annexhost.api.content.Content;
import org.annexhost.api.content.ForwardingInputStream;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.message.AssociatedFile;
import org.annexhost.p2p.message.Message;
import org.annexhost.p2p.message.Message.*;
import org.annexhost.p2p.message.Message.Error;
import org.annexhost.p2p.message.ProtocolVersion;
import org.annexhost.p2p.transport.P2PConnection;
import org.annexhost.p2p.transport.ProtocolException;

/**
 * The client side of the P2P protocol, written once against {@link P2PConnection} like the
 * server: git-annex's {@code P2P/Protocol.hs} client actions. Replies the protocol can express
 * come back as values ({@link ClientReply}); a reply that makes no sense breaks the connection
 * with {@link ProtocolException}, after telling the server with ERROR as git-annex does.
 *
 * <p>One per connection; not thread-safe.
 */
public final class ProtocolClient {
    private final P2PConnection connection;

    /** @param connection an authenticated connection */
    public ProtocolClient(P2PConnection connection) {
        this.connection = connection;
    }

    /** @return the connection */
    public P2PConnection connection() {
        return connection;
    }

    /**
     * Waits for the AUTH-SUCCESS a git-annex-shell p2pstdio server sends first.
     *
     * @return the server's uuid
     */
    public Uuid awaitAuthSuccess() throws IOException {
        Message m = receive();
        if (m instanceof AuthSuccess a) {
            return a.uuid();
        }
        throw unexpected("AUTH-SUCCESS", m);
    }

    /** Sends AUTH and returns the server's uuid if it accepted. */
    public Optional<Uuid> authenticate(Uuid mine, String token) throws IOException {
        connection.send(new Auth(mine, token));
        Message m = receive();
        if (m instanceof AuthSuccess a) {
            return Optional.of(a.uuid());
        }
        if (m instanceof AuthFailure) {
            return Optional.empty();
        }
        throw unexpected("AUTH-SUCCESS or AUTH-FAILURE", m);
    }

    /**
     * Offers a version; an old server answering ERROR means version 0, as git-annex assumes.
     *
     * @return the agreed version, also set on the connection
     */
    public ProtocolVersion negotiate(ProtocolVersion offer) throws IOException {
        connection.send(new Version(offer));
        Message m = receive();
        ProtocolVersion agreed;
        if (m instanceof Version v && v.version().compareTo(offer) <= 0) {
            agreed = v.version();
        } else if (m instanceof Error) {
            agreed = ProtocolVersion.V0;
        } else {
            throw unexpected("VERSION", m);
        }
        connection.setVersion(agreed);
        return agreed;
    }

    /** Sends BYPASS if there is anything to bypass and the version has it. */
    public void bypass(List<Uuid> uuids) throws IOException {
        if (!uuids.isEmpty() && connection.version().hasBypass()) {
            connection.send(new Bypass(uuids));
        }
    }

    /** CHECKPRESENT: SUCCESS, FAILURE, or ERROR (cannot tell). */
    public ClientReply checkPresent(Key key) throws IOException {
        connection.send(new CheckPresent(key));
        return successOrFailure(false);
    }

    /** REMOVE, with the PLUS lists of version 2. */
    public ClientReply remove(Key key) throws IOException {
        connection.send(new Remove(key));
        return successOrFailure(true);
    }

    /** REMOVE-BEFORE (version 3). */
    public ClientReply removeBefore(long deadline, Key key) throws IOException {
        connection.send(new RemoveBefore(deadline, key));
        return successOrFailure(true);
    }

    /** GETTIMESTAMP (version 3). */
    public long getTimestamp() throws IOException {
        connection.send(new GetTimestamp());
        Message m = receive();
        if (m instanceof Timestamp t) {
            return t.seconds();
        }
        if (m instanceof Error e) {
            throw new IOException("GETTIMESTAMP refused: " + e.text());
        }
        throw unexpected("TIMESTAMP", m);
    }

    /** LOCKCONTENT: true if locked; then {@link #unlockContent()} must be the next message. */
    public boolean lockContent(Key key) throws IOException {
        connection.send(new LockContent(key));
        return successOrFailure(false).kind() == ClientReply.Kind.SUCCESS;
    }

    /** UNLOCKCONTENT, which has no reply. */
    public void unlockContent() throws IOException {
        connection.send(new UnlockContent());
    }

    /**
     * PUT: offers the key, sends the content from the offset the server asks for, then VALID.
     *
     * @return ALREADY_HAVE, SUCCESS or FAILURE (with PLUS lists), or ERROR
     */
    public ClientReply put(Key key, AssociatedFile file, ContentSource source) throws IOException {
        PutAnswer answer = offer(key, file);
        if (answer.reply() != null) {
            return answer.reply();
        }
        return sendData(source.from(answer.offset()), true);
    }

    /**
     * Asks where a PUT would start, without sending content: PUT, then an empty DATA marked
     * INVALID so the conversation is back at a request boundary (the p2phttp design's putoffset).
     *
     * @param offset told the server's PUT-FROM offset, when there is one
     * @return ALREADY_HAVE (with PLUS list), SUCCESS when an offset was told, or ERROR
     */
    public ClientReply putOffset(Key key, AssociatedFile file, java.util.function.LongConsumer offset) throws IOException {
        PutAnswer answer = offer(key, file);
        if (answer.reply() != null) {
            return answer.reply();
        }
        sendData(Content.empty(), false);
        offset.accept(answer.offset());
        return ClientReply.success(List.of());
    }

    /**
     * PUT where the content reached the server some other way (v4 DATA-PRESENT): the server checks
     * it has the content and answers as if it had been sent.
     */
    public ClientReply putDataPresent(Key key, AssociatedFile file) throws IOException {
        PutAnswer answer = offer(key, file);
        if (answer.reply() != null) {
            return answer.reply();
        }
        connection.send(new DataPresent());
        return successOrFailure(true);
    }

    /** The server's answer to PUT: a final reply, or the offset to send from. */
    private record PutAnswer(ClientReply reply, long offset) {
    }

    /**
     * The first half of a PUT, for a caller that sends the data itself later (a gateway fanning
     * one upload out): PUT, then the server's answer.
     *
     * @return a final reply (ALREADY-HAVE, ERROR), or empty with the PUT-FROM offset told
     */
    public Optional<ClientReply> offerPut(Key key, AssociatedFile file, java.util.function.LongConsumer offset)
            throws IOException {
        PutAnswer answer = offer(key, file);
        if (answer.reply() != null) {
            return Optional.of(answer.reply());
        }
        offset.accept(answer.offset());
        return Optional.empty();
    }

    /** The data of a PUT whose offer was accepted: DATA from the PUT-FROM offset. */
    public void sendPutData(Content content) throws IOException {
        connection.sendContent(content);
    }

    /** The end of a PUT: VALID or INVALID where the version has them, then the server's reply. */
    public ClientReply finishPut(boolean valid) throws IOException {
        if (connection.version().hasValidity()) {
            connection.send(new Validity(valid));
        }
        return successOrFailure(true);
    }

    /**
     * GET as a stream, for a caller that passes the content on (a gateway): the returned content
     * reads the server's DATA, and at its end reads VALID or INVALID and acknowledges, failing
     * the read if the server said the content was invalid. The connection is in use until the
     * content has been read to its end.
     *
     * @return the content, or empty if the server had none (empty DATA marked INVALID), or ERROR
     */
    public Optional<Content> openGet(Key key, AssociatedFile file, long offset) throws IOException {
        connection.send(new Get(offset, file, key));
        Message m = receive();
        if (m instanceof Error e) {
            throw new IOException("GET " + key + " refused by " + connection.name() + ": " + e.text());
        }
        if (!(m instanceof Data)) {
            throw unexpected("DATA", m);
        }
        Content content = connection.receivedContent();
        if (content.length() == 0) {
            content.counted().drain();
            boolean valid = !connection.version().hasValidity() || receiveValidity();
            connection.send(valid ? new Success() : new Failure());
            return valid ? Optional.of(Content.empty()) : Optional.empty();
        }
        return Optional.of(new Content(content.length(), new ForwardingInputStream(content.counted()) {
            private boolean finished;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n < 0 && !finished) {
                    finished = true;
                    boolean valid = !connection.version().hasValidity() || receiveValidity();
                    connection.send(valid ? new Success() : new Failure());
                    if (!valid) {
                        throw new IOException(connection.name() + " sent " + key + " but said it was not valid");
                    }
                }
                return n;
            }
        }));
    }

    private boolean receiveValidity() throws IOException {
        Message v = receive();
        if (!(v instanceof Validity validity)) {
            throw unexpected("VALID or INVALID", v);
        }
        return validity.valid();
    }

    private PutAnswer offer(Key key, AssociatedFile file) throws IOException {
        connection.send(new Put(file, key));
        Message m = receive();
        if (m instanceof AlreadyHave) {
            return new PutAnswer(ClientReply.alreadyHave(List.of()), 0);
        } else if (m instanceof AlreadyHavePlus p) {
            return new PutAnswer(ClientReply.alreadyHave(p.uuids()), 0);
        } else if (m instanceof Error e) {
            return new PutAnswer(ClientReply.error(e.text()), 0);
        } else if (m instanceof PutFrom from) {
            return new PutAnswer(null, from.offset());
        }
        throw unexpected("PUT-FROM or ALREADY-HAVE", m);
    }

    private ClientReply sendData(Content content, boolean valid) throws IOException {
        connection.sendContent(content);
        if (connection.version().hasValidity()) {
            connection.send(new Validity(valid));
        }
        return successOrFailure(true);
    }

    /**
     * GET: receives the content from the offset and hands it to the sink, which must read it.
     *
     * @return SUCCESS if the server sent valid content and the sink took it; else FAILURE
     */
    public ClientReply get(Key key, AssociatedFile file, long offset, ContentSink sink) throws IOException {
        connection.send(new Get(offset, file, key));
        Message m = receive();
        if (m instanceof Error e) {
            return ClientReply.error(e.text());
        }
        if (!(m instanceof Data)) {
            throw unexpected("DATA", m);
        }
        Content content = connection.receivedContent();
        boolean taken = sink.accept(content);
        boolean valid = true;
        if (connection.version().hasValidity()) {
            Message v = receive();
            if (!(v instanceof Validity validity)) {
                throw unexpected("VALID or INVALID", v);
            }
            valid = validity.valid();
        }
        boolean ok = taken && valid;
        connection.send(ok ? new Success() : new Failure());
        return ok ? ClientReply.success(List.of()) : ClientReply.failure(List.of());
    }

    private ClientReply successOrFailure(boolean plusAllowed) throws IOException {
        Message m = receive();
        if (m instanceof Success) {
            return ClientReply.success(List.of());
        } else if (m instanceof Failure) {
            return ClientReply.failure(List.of());
        } else if (m instanceof Error e) {
            return ClientReply.error(e.text());
        } else if (plusAllowed && m instanceof SuccessPlus p) {
            return ClientReply.success(p.uuids());
        } else if (plusAllowed && m instanceof FailurePlus p) {
            return ClientReply.failure(p.uuids());
        }
        throw unexpected(plusAllowed ? "SUCCESS or SUCCESS-PLUS or FAILURE or FAILURE-PLUS"
                : "SUCCESS or FAILURE", m);
    }

    private Message receive() throws IOException {
        Optional<Message> m = connection.receive();
        if (m.isEmpty()) {
            throw breakWith("unparsable reply from " + connection.name());
        }
        return m.get();
    }

    private ProtocolException unexpected(String expected, Message got) throws IOException {
        return breakWith("expected " + expected + " from " + connection.name() + ", got " + got.verb().wire());
    }

    private ProtocolException breakWith(String why) throws IOException {
        try {
            connection.send(new Error(why));
        } catch (IOException ignored) {
            // the connection is being abandoned anyway
        }
        connection.close();
        return new ProtocolException(why);
    }
}

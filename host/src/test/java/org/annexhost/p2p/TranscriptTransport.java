package org.annexhost.p2p;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.annexhost.api.content.Content;
import org.annexhost.p2p.codec.BoundedLineReader;
import org.annexhost.p2p.codec.MessageCodec;
import org.annexhost.p2p.codec.TextCodec;
import org.annexhost.p2p.message.Message;
import org.annexhost.p2p.transport.InMemoryConnection;
import org.annexhost.p2p.transport.P2PConnection;
import org.annexhost.p2p.transport.StreamConnection;

/**
 * Every way a transcript can reach the server: serialized, serialized one byte at a time (which
 * finds bugs in buffering), and in memory between threads.
 */
enum TranscriptTransport {
    STREAM,
    STREAM_ONE_BYTE_AT_A_TIME,
    IN_MEMORY;

    /** What the client side of a transcript does. */
    interface ClientSide {
        /** Sends the line's bytes and a newline. */
        void sendLine(byte[] line) throws IOException;

        void sendData(long declared, byte[] payload) throws IOException;

        void hangup() throws IOException;

        /** @return the next reply line; for DATA, the line and its payload */
        Reply read() throws IOException;
    }

    record Reply(String line, byte[] payload) {
    }

    record Ends(P2PConnection server, ClientSide client) {
    }

    Ends open(String name) throws IOException {
        return switch (this) {
            case STREAM -> stream(name, false);
            case STREAM_ONE_BYTE_AT_A_TIME -> stream(name, true);
            case IN_MEMORY -> memory(name);
        };
    }

    private static Ends stream(String name, boolean oneByte) throws IOException {
        PipedInputStream serverIn = new PipedInputStream(1 << 20);
        PipedOutputStream clientOut = new PipedOutputStream(serverIn);
        PipedInputStream clientIn = new PipedInputStream(1 << 20);
        PipedOutputStream serverOut = new PipedOutputStream(clientIn);
        InputStream in = oneByte ? new OneByteAtATime(serverIn) : serverIn;
        return new Ends(new StreamConnection(name, in, serverOut), client(clientIn, clientOut));
    }

    /** The client's side of a serialized conversation: lines and DATA written, replies read. */
    static ClientSide client(InputStream clientIn, OutputStream clientOut) {
        BoundedLineReader replies = new BoundedLineReader(clientIn);
        return new ClientSide() {
            @Override
            public void sendLine(byte[] line) throws IOException {
                clientOut.write(line);
                clientOut.write('\n');
                clientOut.flush();
            }

            @Override
            public void sendData(long declared, byte[] payload) throws IOException {
                clientOut.write(("DATA " + declared + "\n").getBytes(StandardCharsets.UTF_8));
                clientOut.write(payload);
                clientOut.flush();
            }

            @Override
            public void hangup() throws IOException {
                clientOut.close();
            }

            @Override
            public Reply read() throws IOException {
                Optional<String> line = replies.readLine();
                if (line.isEmpty()) {
                    return new Reply("<closed>", null);
                }
                if (line.get().startsWith("DATA ")) {
                    int n = Integer.parseInt(line.get().substring(5));
                    return new Reply(line.get(), clientIn.readNBytes(n));
                }
                return new Reply(line.get(), null);
            }
        };
    }

    private static Ends memory(String name) {
        InMemoryConnection.Pair pair = InMemoryConnection.pair(name, new InMemoryConnection.Timeouts(
                Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(5)));
        InMemoryConnection client = pair.client();
        return new Ends(pair.server(), new ClientSide() {
            @Override
            public void sendLine(byte[] line) throws IOException {
                client.sendLine(TextCodec.decode(line));
            }

            @Override
            public void sendData(long declared, byte[] payload) throws IOException {
                try {
                    client.sendContent(new Content(declared, new java.io.ByteArrayInputStream(payload)));
                } catch (IOException e) {
                    // A short or long payload breaks the link; the transcript says what follows.
                }
            }

            @Override
            public void hangup() {
                client.close();
            }

            @Override
            public Reply read() throws IOException {
                Optional<Message> m;
                try {
                    m = client.receive();
                } catch (IOException e) {
                    return new Reply("<closed>", null);
                }
                if (m.isEmpty()) {
                    return new Reply("<unparsable>", null);
                }
                if (m.get() instanceof Message.Data) {
                    return new Reply(MessageCodec.format(m.get()),
                            client.receivedContent().counted().readAllBytes());
                }
                return new Reply(MessageCodec.format(m.get()), null);
            }
        });
    }

    /** Hands out at most one byte per read, as a slow network might. */
    private static final class OneByteAtATime extends FilterInputStream {
        OneByteAtATime(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, 1));
        }
    }

}

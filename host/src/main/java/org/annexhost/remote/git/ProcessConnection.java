package org.annexhost.remote.git;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.annexhost.api.content.Content;
import org.annexhost.p2p.message.Message;
import org.annexhost.p2p.message.ProtocolVersion;
import org.annexhost.p2p.transport.P2PConnection;
import org.annexhost.p2p.transport.StreamConnection;

/** A P2P conversation with a git-annex-shell process: closing it ends the process. */
final class ProcessConnection implements P2PConnection {
    private final Process process;
    private final StreamConnection connection;

    ProcessConnection(String name, Process process) {
        this.process = process;
        this.connection = new StreamConnection(name, process.getInputStream(), process.getOutputStream());
    }

    @Override
    public String name() {
        return connection.name();
    }

    @Override
    public Optional<Message> receive() throws IOException {
        return connection.receive();
    }

    @Override
    public void send(Message message) throws IOException {
        connection.send(message);
    }

    @Override
    public void sendContent(Content content) throws IOException {
        connection.sendContent(content);
    }

    @Override
    public Content receivedContent() {
        return connection.receivedContent();
    }

    @Override
    public ProtocolVersion version() {
        return connection.version();
    }

    @Override
    public void setVersion(ProtocolVersion version) {
        connection.setVersion(version);
    }

    @Override
    public boolean isClosed() {
        return connection.isClosed() || !process.isAlive();
    }

    @Override
    public void close() throws IOException {
        try {
            connection.close();
        } finally {
            // git-annex-shell ends when its stdin closes; one that does not is stopped.
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}

package org.annexhost.remote.git;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.annexhost.p2p.transport.ForwardingConnection;
import org.annexhost.p2p.transport.StreamConnection;

/** A P2P conversation with a git-annex-shell process: closing it ends the process. */
final class ProcessConnection extends ForwardingConnection {
    private final Process process;

    ProcessConnection(String name, Process process) {
        super(new StreamConnection(name, process.getInputStream(), process.getOutputStream()));
        this.process = process;
    }

    @Override
    public boolean isClosed() {
        return super.isClosed() || !process.isAlive();
    }

    @Override
    public void close() throws IOException {
        try {
            super.close();
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

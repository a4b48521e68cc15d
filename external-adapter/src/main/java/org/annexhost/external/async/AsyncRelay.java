package org.annexhost.external.async;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.annexhost.external.process.ExternalProcess;
import org.annexhost.external.process.LineChannel;

/**
 * One external remote process speaking the ASYNC extension ({@code async_appendix.mdwn}): many
 * jobs at once, every line tagged {@code J n}. One reader thread hands each line to its job's
 * queue; writers share the process's stdin. A line for no known job, or an untagged line, breaks
 * the whole process and every job on it.
 *
 * <p>Thread-safe; jobs are each owned by one conversation.
 */
public final class AsyncRelay {
    private static final String EOF = new String("<eof>");

    private final ExternalProcess process;
    private final AtomicInteger nextJob = new AtomicInteger(1);
    private final Map<Integer, LinkedBlockingQueue<String>> jobs = new ConcurrentHashMap<>();
    private volatile String broken;

    /** @param process a process that accepted ASYNC; its output now belongs to this relay */
    public AsyncRelay(ExternalProcess process) {
        this.process = process;
        Thread reader = new Thread(this::dispatch, process.name() + "-async");
        reader.setDaemon(true);
        reader.start();
    }

    /** @return a new job on the process */
    public LineChannel job() throws IOException {
        if (broken != null) {
            throw new IOException("external remote " + process.name() + " is broken: " + broken);
        }
        int n = nextJob.getAndIncrement();
        jobs.put(n, new LinkedBlockingQueue<>());
        return new Job(n);
    }

    /** @return true while the process works */
    public boolean healthy() {
        return broken == null;
    }

    /** Kills the process; every job fails. */
    public void kill(String why) {
        broken = why;
        process.kill(why);
        jobs.values().forEach(q -> q.offer(EOF));
    }

    private void dispatch() {
        try {
            while (broken == null) {
                Optional<String> line = process.readLine(Duration.ofDays(365));
                if (line.isEmpty()) {
                    break;
                }
                String[] p = line.get().split(" ", 3);
                LinkedBlockingQueue<String> q = p.length == 3 && p[0].equals("J") && p[1].matches("[0-9]{1,9}")
                        ? jobs.get(Integer.parseInt(p[1])) : null;
                if (q == null) {
                    kill("sent a line for no running job: \"" + line.get() + "\"");
                    return;
                }
                q.offer(p[2]);
            }
        } catch (IOException e) {
            // the process ended
        }
        broken = broken == null ? "exited" : broken;
        jobs.values().forEach(q -> q.offer(EOF));
    }

    /** One job: lines tagged with its number. */
    private final class Job implements LineChannel {
        private final int number;

        Job(int number) {
            this.number = number;
        }

        @Override
        public String name() {
            return process.name() + "/J" + number;
        }

        @Override
        public void writeLine(String line) throws IOException {
            process.writeLine("J " + number + " " + line);
        }

        @Override
        public Optional<String> readLine(Duration timeout) throws IOException {
            LinkedBlockingQueue<String> q = jobs.get(number);
            String line;
            try {
                line = q.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(name() + ": interrupted");
            }
            if (line == null) {
                kill("job " + number + " got no reply within " + timeout.toSeconds() + "s");
                throw new IOException(name() + " did not reply within " + timeout.toSeconds() + "s");
            }
            if (line == EOF) {
                q.offer(EOF);
                return Optional.empty();
            }
            return Optional.of(line);
        }

        @Override
        public void kill(String why) {
            AsyncRelay.this.kill(why);
        }

        @Override
        public void awaitExit(Duration max) {
            process.awaitExit(max);
        }

        @Override
        public String deathDetail() {
            return process.deathDetail();
        }

        /** Forgets the job once its conversation is done. */
        void finish() {
            jobs.remove(number);
        }
    }

    /** Ends a job's life in the relay. */
    public static void finish(LineChannel job) {
        if (job instanceof Job j) {
            j.finish();
        }
    }
}

package org.annexhost.access;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.annexhost.api.key.Key;

/**
 * Quotas of one repository: limits on the bytes stored in it, or on one remote or cluster it
 * proxies, in all or by one user ({@code annexhost quota}). A PUT whose declared size would pass a
 * limit is refused before any data moves; a store counts once it succeeded, a removal frees what
 * the store counted.
 *
 * <p>Counting is exact across concurrent uploads, in this process and in others (ssh shells
 * serving themselves): every decision is made under one lock (a thread lock and a file lock),
 * against what is stored plus what uploads in flight have reserved; a reservation of a process
 * that died no longer counts. What each store counted is kept per key
 * ({@code GITDIR/annex/annexhost-quota/keys/}), and the totals kept beside it are counted again
 * from those when a host starts, so they survive restarts and crashes.
 *
 * <p>What is counted is what was stored through annexhost while a limit was set in the
 * repository: with no limit, nothing is recorded and nothing costs anything. Content already
 * there when the first limit is set, or removed behind annexhost's back, is not seen.
 * Thread-safe.
 *
 * <p>Longer than 400 lines on purpose: every decision and every record it keeps (limits,
 * reservations, per-key counts, totals) is made under its one lock, and reads best in one place.
 */
public final class Quotas {
    /** How every quota refusal begins, so that whoever records it can tell it from a failure. */
    public static final String EXCEEDED = "quota exceeded";
    private static final String HEADER = "annexhost quotas, written by `annexhost quota`: WHO|* REMOTE|. BYTES";
    private static final String ANY = "*";
    private static final String HERE = ".";
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final Path dir;
    private final StateFile<Map<Scope, Long>> limits;
    /** One lock per repository in this process, however many {@code Quotas} look at it (a file lock is per process). */
    private static final java.util.concurrent.ConcurrentHashMap<Path, ReentrantLock> LOCKS = new java.util.concurrent.ConcurrentHashMap<>();
    private final ReentrantLock lock;

    /** Where a limit applies: a user or everyone ({@code *}), and a remote or the repository ({@code .}). */
    private record Scope(String user, String place) {
    }

    /**
     * A limit and what is counted against it.
     *
     * @param user the user it is for ({@code anonymous} for uploads by no one logged in), or empty for everyone
     * @param remote the remote or cluster, or empty for the repository
     * @param used bytes counted
     * @param limit the limit, if one is set
     */
    public record Usage(Optional<String> user, Optional<String> remote, long used, OptionalLong limit) {
    }

    /** An upload's place in the quotas, from its admission until it stored or failed. */
    public interface Admission extends AutoCloseable {
        /** @return why the upload may not go ahead, if it may not */
        Optional<String> refusal();

        /** Counts the content as stored (once: a key stored again counts once). */
        void stored() throws IOException;

        /** Gives back what was reserved and not stored. */
        @Override
        void close() throws IOException;
    }

    private static final Admission FREE = new Admission() {
        @Override
        public Optional<String> refusal() {
            return Optional.empty();
        }

        @Override
        public void stored() {
        }

        @Override
        public void close() {
        }
    };

    /** @return an admission that limits nothing, for where no quotas are kept */
    public static Admission none() {
        return FREE;
    }

    private Quotas(Path dir) {
        this.dir = dir;
        this.limits = new StateFile<>(dir.resolve("limits"), Quotas::limits);
        this.lock = LOCKS.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> new ReentrantLock());
    }

    /** @return the quotas of the repository with this git directory */
    public static Quotas of(Path gitDir) {
        return new Quotas(gitDir.resolve("annex").resolve("annexhost-quota"));
    }

    /**
     * Sets or removes a limit.
     *
     * @param bytes the limit, or empty to remove it
     */
    public void limit(Optional<String> user, Optional<String> remote, OptionalLong bytes) throws IOException {
        user.ifPresent(HostUsers::checkName);
        String u = user.orElse(ANY);
        String p = remote.orElse(HERE);
        limits.update(HEADER, rows -> {
            rows.removeIf(r -> r.length == 3 && r[0].equals(u) && r[1].equals(p));
            if (bytes.isPresent()) {
                rows.add(new String[] {u, p, Long.toString(bytes.getAsLong())});
            }
            return rows;
        });
    }

    /** @return every limit, and every count without one, with the bytes counted */
    public List<Usage> usage() throws IOException {
        Map<Scope, Long> lim = limits.current();
        Map<Scope, Long> used = totals();
        java.util.Set<Scope> all = new java.util.TreeSet<>(java.util.Comparator.comparing(Scope::place).thenComparing(Scope::user));
        all.addAll(lim.keySet());
        all.addAll(used.keySet());
        for (Scope s : used.keySet()) {
            all.add(new Scope(ANY, s.place())); // everyone's total at each place
        }
        List<Usage> out = new ArrayList<>();
        for (Scope s : all) {
            long n = s.user().equals(ANY) ? sumAt(used, s.place()) : used.getOrDefault(s, 0L);
            out.add(new Usage(s.user().equals(ANY) ? Optional.empty() : Optional.of(s.user()),
                    s.place().equals(HERE) ? Optional.empty() : Optional.of(s.place()), n,
                    lim.containsKey(s) ? OptionalLong.of(lim.get(s)) : OptionalLong.empty()));
        }
        return out;
    }

    /**
     * Decides whether an upload fits, and if it does, reserves its size until it is stored or fails.
     *
     * @param user who uploads, if known
     * @param remote the remote or cluster it goes to, or empty for the repository
     * @param key what is uploaded
     * @param size its declared size
     */
    public Admission admit(Optional<String> user, Optional<String> remote, Key key, long size) throws IOException {
        Map<Scope, Long> lim = limits.current();
        if (lim.isEmpty()) {
            return FREE;
        }
        String u = user.orElse(HostUsers.ANONYMOUS);
        String place = remote.orElse(HERE);
        return locked(() -> {
            if (Files.exists(keyFile(place, key))) {
                return FREE; // already counted here: storing it again adds nothing
            }
            Map<Scope, Long> used = totals();
            for (Reserved r : reservations()) {
                used.merge(new Scope(r.user(), r.place()), r.size(), Long::sum);
            }
            for (Map.Entry<Scope, Long> l : lim.entrySet()) {
                Scope s = l.getKey();
                if (!s.place().equals(place) || !(s.user().equals(ANY) || s.user().equals(u))) {
                    continue;
                }
                long counted = s.user().equals(ANY) ? sumAt(used, place) : used.getOrDefault(s, 0L);
                if (counted + size > l.getValue()) {
                    String who = s.user().equals(ANY) ? "" : s.user() + "'s ";
                    String where = remote.map(r -> "remote " + r).orElse("this repository");
                    return refused(EXCEEDED + ": " + who + "limit on " + where + " is " + Sizes.format(l.getValue())
                            + ", " + Sizes.format(counted) + " used, " + Sizes.format(size) + " more does not fit");
                }
            }
            Path reservation = reserve(place, u, size);
            return new Reservation(place, u, key, size, reservation);
        });
    }

    /** Frees what storing this key here counted (nothing if it was not counted). */
    public void removed(Optional<String> remote, Key key) throws IOException {
        if (!Files.isDirectory(dir.resolve("keys"))) {
            return;
        }
        String place = remote.orElse(HERE);
        locked(() -> {
            Path f = keyFile(place, key);
            String[] counted;
            try {
                counted = Files.readString(f, StandardCharsets.UTF_8).strip().split("\t");
            } catch (NoSuchFileException notCounted) {
                return null;
            }
            Map<Scope, Long> t = totals();
            t.merge(new Scope(counted[0], place), -Long.parseLong(counted[1]), Long::sum);
            writeTotals(t);
            Files.delete(f);
            return null;
        });
    }

    /** Counts the totals again from what each store counted: at a host's start, after any crash. */
    public void recount() throws IOException {
        if (!Files.isDirectory(dir.resolve("keys"))) {
            return;
        }
        locked(() -> {
            Map<Scope, Long> t = new TreeMap<>(java.util.Comparator.comparing(Scope::place).thenComparing(Scope::user));
            try (DirectoryStream<Path> places = Files.newDirectoryStream(dir.resolve("keys"))) {
                for (Path p : places) {
                    String place = decode(p.getFileName().toString());
                    try (DirectoryStream<Path> keys = Files.newDirectoryStream(p)) {
                        for (Path k : keys) {
                            String[] c = Files.readString(k, StandardCharsets.UTF_8).strip().split("\t");
                            t.merge(new Scope(c[0], place), Long.parseLong(c[1]), Long::sum);
                        }
                    }
                }
            }
            writeTotals(t);
            return null;
        });
    }

    private final class Reservation implements Admission {
        private final String place;
        private final String user;
        private final Key key;
        private final long size;
        private final Path file;
        private boolean done;

        Reservation(String place, String user, Key key, long size, Path file) {
            this.place = place;
            this.user = user;
            this.key = key;
            this.size = size;
            this.file = file;
        }

        @Override
        public Optional<String> refusal() {
            return Optional.empty();
        }

        @Override
        public void stored() throws IOException {
            locked(() -> {
                Path k = keyFile(place, key);
                if (!Files.exists(k)) {
                    Files.createDirectories(k.getParent());
                    Path tmp = k.resolveSibling("." + k.getFileName() + ".new");
                    Files.writeString(tmp, user + "\t" + size + "\t" + key + "\n", StandardCharsets.UTF_8);
                    Files.move(tmp, k, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    Map<Scope, Long> t = totals();
                    t.merge(new Scope(user, place), size, Long::sum);
                    writeTotals(t);
                }
                release();
                return null;
            });
        }

        @Override
        public void close() throws IOException {
            locked(() -> {
                release();
                return null;
            });
        }

        private void release() throws IOException {
            if (!done) {
                done = true;
                Files.deleteIfExists(file);
            }
        }
    }

    private static Admission refused(String why) {
        return new Admission() {
            @Override
            public Optional<String> refusal() {
                return Optional.of(why);
            }

            @Override
            public void stored() {
                throw new IllegalStateException("a refused upload cannot be stored");
            }

            @Override
            public void close() {
            }
        };
    }

    @FunctionalInterface
    private interface Locked<T> {
        T run() throws IOException;
    }

    /** Runs under the quotas' lock: this process's threads one at a time, and one process at a time. */
    private <T> T locked(Locked<T> body) throws IOException {
        lock.lock();
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                return body.run();
            }
        } finally {
            lock.unlock();
        }
    }

    private record Reserved(String place, String user, long size) {
    }

    private Path reserve(String place, String user, long size) throws IOException {
        Path r = Files.createDirectories(dir.resolve("reserved"))
                .resolve(ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet());
        Files.writeString(r, place + "\t" + user + "\t" + size + "\n", StandardCharsets.UTF_8);
        return r;
    }

    /** @return the reservations of uploads in flight; those of processes that are gone are removed */
    private List<Reserved> reservations() throws IOException {
        List<Reserved> out = new ArrayList<>();
        Path d = dir.resolve("reserved");
        if (!Files.isDirectory(d)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(d)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                long pid = Long.parseLong(name.substring(0, name.indexOf('-')));
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    String[] r = Files.readString(f, StandardCharsets.UTF_8).strip().split("\t");
                    out.add(new Reserved(r[0], r[1], Long.parseLong(r[2])));
                } else {
                    Files.deleteIfExists(f);
                }
            }
        }
        return out;
    }

    private static long sumAt(Map<Scope, Long> used, String place) {
        long sum = 0;
        for (Map.Entry<Scope, Long> e : used.entrySet()) {
            if (e.getKey().place().equals(place)) {
                sum += e.getValue();
            }
        }
        return sum;
    }

    private Path keyFile(String place, Key key) {
        String text = key.toString();
        String name = text.matches("[A-Za-z0-9._=,+-]{1,200}") ? text : "sha256-" + Secrets.digest(text).replace('/', '_');
        return dir.resolve("keys").resolve(encode(place)).resolve(name);
    }

    private Map<Scope, Long> totals() throws IOException {
        Map<Scope, Long> t = new TreeMap<>(java.util.Comparator.comparing(Scope::place).thenComparing(Scope::user));
        Path f = dir.resolve("totals");
        if (!Files.exists(f)) {
            return t;
        }
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            String[] r = line.split("\t");
            if (r.length == 3) {
                t.put(new Scope(r[0], decode(r[1])), Long.parseLong(r[2]));
            }
        }
        return t;
    }

    private void writeTotals(Map<Scope, Long> t) throws IOException {
        StringBuilder s = new StringBuilder();
        t.forEach((scope, n) -> {
            if (n != 0) {
                s.append(scope.user()).append('\t').append(encode(scope.place())).append('\t').append(n).append('\n');
            }
        });
        Path tmp = dir.resolve(".totals.new");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(java.nio.ByteBuffer.wrap(s.toString().getBytes(StandardCharsets.UTF_8)));
            out.force(true);
        }
        Files.move(tmp, dir.resolve("totals"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A place as a file name: the repository is {@code .}, a remote's name percent-encoded. */
    private static String encode(String place) {
        return place.equals(HERE) ? "_repository" : java.net.URLEncoder.encode(place, StandardCharsets.UTF_8);
    }

    private static String decode(String name) {
        return name.equals("_repository") ? HERE : java.net.URLDecoder.decode(name, StandardCharsets.UTF_8);
    }

    private static Map<Scope, Long> limits(List<String[]> rows) {
        Map<Scope, Long> out = new TreeMap<>(java.util.Comparator.comparing(Scope::place).thenComparing(Scope::user));
        for (String[] r : rows) {
            if (r.length == 3) {
                try {
                    out.put(new Scope(r[0], r[1]), Long.parseLong(r[2]));
                } catch (NumberFormatException unreadable) {
                    // a line this version cannot read limits nothing
                }
            }
        }
        return java.util.Collections.unmodifiableMap(out);
    }
}

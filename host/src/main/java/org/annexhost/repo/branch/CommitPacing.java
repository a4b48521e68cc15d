package org.annexhost.repo.branch;

/**
 * When a long-running host commits a repository's journal: once changes have stopped for a
 * moment ({@link #QUIET_NANOS}), or, while they keep coming, once the oldest uncommitted one has
 * waited {@link #MAX_NANOS}. A burst of uploads is then committed a few times rather than every
 * tick (each commit is six git processes and holds the journal lock while its files are taken),
 * and the branch is never more than a few seconds behind. Clients that fetch the branch do not
 * wait for this: a fetch commits first. Not thread-safe: one per repository, asked from one thread.
 */
public final class CommitPacing {
    /** How long changes must have stopped before the journal is committed. */
    public static final long QUIET_NANOS = 1_000_000_000L;
    /** The longest a change waits for its commit while changes keep coming. */
    public static final long MAX_NANOS = 5_000_000_000L;

    private long dirtySince = -1;
    /** When the journal was last seen empty, or last committed; {@code Long.MIN_VALUE} before. */
    private long cleanAt = Long.MIN_VALUE;
    private long lastAsked = Long.MIN_VALUE;

    /**
     * @param dirty whether anything is journalled now
     * @param lastChange {@link System#nanoTime} of this process's last journal write, or
     *     {@code Long.MIN_VALUE} if none (changes by other processes count from when seen)
     * @param now {@link System#nanoTime} now
     * @return true if the journal should be committed now
     */
    public boolean due(boolean dirty, long lastChange, long now) {
        lastAsked = now;
        if (!dirty) {
            dirtySince = -1;
            cleanAt = now;
            return false;
        }
        if (dirtySince < 0) {
            // Dirty since our write, if we wrote after it was last clean; else since now.
            dirtySince = lastChange != Long.MIN_VALUE && lastChange > cleanAt ? lastChange : now;
        }
        long quietFor = now - Math.max(lastChange, dirtySince);
        return quietFor >= QUIET_NANOS || now - dirtySince >= MAX_NANOS;
    }

    /** Call after a commit was tried: what is journalled from now on waits afresh. */
    public void committed() {
        dirtySince = -1;
        cleanAt = lastAsked;
    }
}

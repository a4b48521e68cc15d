package org.annexhost.repo.branch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CommitPacingTest {
    private static final long MS = 1_000_000L;

    @Test
    void anEmptyJournalIsNeverDue() {
        CommitPacing p = new CommitPacing();
        assertFalse(p.due(false, 0, 10_000 * MS));
        assertFalse(p.due(false, Long.MIN_VALUE, 20_000 * MS));
    }

    @Test
    void aChangeIsCommittedOnceChangesPauseForASecond() {
        CommitPacing p = new CommitPacing();
        long t = 1_000_000 * MS;
        assertFalse(p.due(true, t, t + 250 * MS));
        assertFalse(p.due(true, t, t + 999 * MS));
        assertTrue(p.due(true, t, t + 1000 * MS));
    }

    @Test
    void changesThatKeepComingAreCommittedEveryFiveSeconds() {
        CommitPacing p = new CommitPacing();
        long t = 1_000_000 * MS;
        for (long at = t; at < t + 5000 * MS; at += 250 * MS) {
            // a change just before every look: never quiet
            assertFalse(p.due(true, at - MS, at), "due at " + (at - t) / MS + " ms");
        }
        assertTrue(p.due(true, t + 5000 * MS - MS, t + 5000 * MS));
        p.committed();
        // what came after waits afresh, not from the first change
        assertFalse(p.due(true, t + 5200 * MS, t + 5250 * MS));
        assertTrue(p.due(true, t + 5200 * MS, t + 6250 * MS));
    }

    @Test
    void changesByAnotherProcessCountFromWhenTheyWereSeen() {
        CommitPacing p = new CommitPacing();
        long t = 1_000_000 * MS;
        assertFalse(p.due(true, Long.MIN_VALUE, t));
        assertFalse(p.due(true, Long.MIN_VALUE, t + 500 * MS));
        assertTrue(p.due(true, Long.MIN_VALUE, t + 1000 * MS));
    }

    @Test
    void anOldChangeOfOursDoesNotMakeANewlySeenOneDueAtOnce() {
        CommitPacing p = new CommitPacing();
        long t = 1_000_000 * MS;
        // our last write was long ago and committed; the journal became dirty now (git-annex wrote to it)
        assertFalse(p.due(false, t - 60_000 * MS, t - 250 * MS));
        assertFalse(p.due(true, t - 60_000 * MS, t));
        assertTrue(p.due(true, t - 60_000 * MS, t + 1000 * MS));
    }
}

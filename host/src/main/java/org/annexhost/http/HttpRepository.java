package org.annexhost.http;

import java.io.IOException;
import java.nio.file.Path;
import org.annexhost.api.Uuid;

/**
 * A repository as HTTP serves it: at {@code /NAME} for git, and at its uuid for the annex API.
 *
 * @param name the path segment, the repository folder's name (e.g. {@code photos.git})
 * @param gitDir its git directory
 * @param uuid its annex uuid
 * @param access who may do what in this repository (the server's rules, or the repository's own)
 * @param branch commits its journalled git-annex branch changes, before git serves its refs
 */
public record HttpRepository(String name, Path gitDir, Uuid uuid, HttpAccess access, BranchCommit branch) {
    /** Commits a repository's journalled branch changes. */
    @FunctionalInterface
    public interface BranchCommit {
        /** Commits; does nothing when nothing is journalled. */
        void commit() throws IOException;
    }
}

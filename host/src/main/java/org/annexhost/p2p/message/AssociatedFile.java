package org.annexhost.p2p.message;

import java.util.Optional;

/**
 * The file name a PUT or GET is for, for information only (display, preferred content). Always
 * relative, with unix separators, and without control characters: git-annex's decoder turns those
 * into {@code _} and refuses absolute paths, and so does ours.
 *
 * @param path the relative path, or empty when there is none
 */
public record AssociatedFile(Optional<String> path) {
    /** No associated file. */
    public static final AssociatedFile NONE = new AssociatedFile(Optional.empty());

    /** Validates the path. */
    public AssociatedFile {
        path.ifPresent(p -> {
            if (p.isEmpty()) {
                throw new IllegalArgumentException("empty associated file; use NONE");
            }
            if (p.startsWith("/")) {
                throw new IllegalArgumentException("associated file must be relative: " + p);
            }
            if (p.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new IllegalArgumentException("associated file contains a control character");
            }
        });
    }

    /** @return the associated file for a path, or NONE for an empty string */
    public static AssociatedFile of(String path) {
        return path.isEmpty() ? NONE : new AssociatedFile(Optional.of(path));
    }

    @Override
    public String toString() {
        return path.orElse("");
    }
}

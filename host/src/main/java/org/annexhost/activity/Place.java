package org.annexhost.activity;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where something happened: a served repository (by the name clients use, and its git directory,
 * under which its audit log is kept), and the remote or cluster of it a client reached, if not
 * the repository itself.
 *
 * @param repository the repository's name
 * @param gitDir its git directory
 * @param remote the proxied remote or cluster's name, if the client reached one
 */
public record Place(String repository, Path gitDir, Optional<String> remote) {
    /** @return the repository itself */
    public static Place repository(String name, Path gitDir) {
        return new Place(name, gitDir, Optional.empty());
    }

    /** @return the remote of this place's repository */
    public Place remote(String name) {
        return new Place(repository, gitDir, Optional.of(name));
    }
}

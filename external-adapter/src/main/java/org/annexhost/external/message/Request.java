package org.annexhost.external.message;

import java.util.List;

/**
 * What the host asks an external special remote to do ({@code doc/design/
 * external_special_remote_protocol.mdwn}, "git-annex request messages"). Keys travel as their
 * serialized text; the adapter validated them before.
 */
public sealed interface Request {
    /** {@code EXTENSIONS List}. */
    record Extensions(List<String> extensions) implements Request {
        /** Copies the list. */
        public Extensions {
            extensions = List.copyOf(extensions);
        }
    }

    /** {@code PREPARE}. */
    record Prepare() implements Request {
    }

    /** {@code INITREMOTE}. */
    record InitRemote() implements Request {
    }

    /** {@code TRANSFER STORE|RETRIEVE Key File}. */
    record Transfer(Direction direction, String key, String file) implements Request {
    }

    /** {@code CHECKPRESENT Key}. */
    record CheckPresent(String key) implements Request {
    }

    /** {@code REMOVE Key}. */
    record Remove(String key) implements Request {
    }

    /** {@code GETCOST}. */
    record GetCost() implements Request {
    }

    /** {@code GETAVAILABILITY}. */
    record GetAvailability() implements Request {
    }

    /** {@code GETORDERED}. */
    record GetOrdered() implements Request {
    }

    /** {@code WHEREIS Key}. */
    record Whereis(String key) implements Request {
    }

    /** {@code GETINFO}. */
    record GetInfo() implements Request {
    }

    /** {@code LISTCONFIGS}. */
    record ListConfigs() implements Request {
    }

    /** {@code EXPORTSUPPORTED}. */
    record ExportSupported() implements Request {
    }
}

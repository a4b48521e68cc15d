package org.annexhost.external.message;

import java.util.List;

/** How an external remote answers a {@link Request}. */
public sealed interface Response extends FromRemote {
    /** {@code EXTENSIONS List}, in reply to EXTENSIONS. */
    record Extensions(List<String> extensions) implements Response {
        /** Copies the list. */
        public Extensions {
            extensions = List.copyOf(extensions);
        }
    }

    /** {@code PREPARE-SUCCESS}. */
    record PrepareSuccess() implements Response {
    }

    /** {@code PREPARE-FAILURE ErrorMsg}. */
    record PrepareFailure(String error) implements Response {
    }

    /** {@code INITREMOTE-SUCCESS}. */
    record InitRemoteSuccess() implements Response {
    }

    /** {@code INITREMOTE-FAILURE ErrorMsg}. */
    record InitRemoteFailure(String error) implements Response {
    }

    /** {@code TRANSFER-SUCCESS STORE|RETRIEVE Key}. */
    record TransferSuccess(Direction direction, String key) implements Response {
    }

    /** {@code TRANSFER-FAILURE STORE|RETRIEVE Key ErrorMsg}. */
    record TransferFailure(Direction direction, String key, String error) implements Response {
    }

    /** {@code CHECKPRESENT-SUCCESS Key}. */
    record CheckPresentSuccess(String key) implements Response {
    }

    /** {@code CHECKPRESENT-FAILURE Key}. */
    record CheckPresentFailure(String key) implements Response {
    }

    /** {@code CHECKPRESENT-UNKNOWN Key ErrorMsg}. */
    record CheckPresentUnknown(String key, String error) implements Response {
    }

    /** {@code REMOVE-SUCCESS Key}. */
    record RemoveSuccess(String key) implements Response {
    }

    /** {@code REMOVE-FAILURE Key ErrorMsg}. */
    record RemoveFailure(String key, String error) implements Response {
    }

    /** {@code COST Int}. */
    record Cost(int cost) implements Response {
    }

    /** {@code AVAILABILITY GLOBAL|LOCAL|UNAVAILABLE}. */
    record Availability(String availability) implements Response {
    }

    /** {@code ORDERED}. */
    record Ordered() implements Response {
    }

    /** {@code UNORDERED}. */
    record Unordered() implements Response {
    }

    /** {@code WHEREIS-SUCCESS String}. */
    record WhereisSuccess(String where) implements Response {
    }

    /** {@code WHEREIS-FAILURE}. */
    record WhereisFailure() implements Response {
    }

    /** {@code INFOFIELD Name}. */
    record InfoField(String name) implements Response {
    }

    /** {@code INFOVALUE Value}. */
    record InfoValue(String value) implements Response {
    }

    /** {@code INFOEND}. */
    record InfoEnd() implements Response {
    }

    /** {@code CONFIG Name Description}. */
    record Config(String name, String description) implements Response {
    }

    /** {@code CONFIGEND}. */
    record ConfigEnd() implements Response {
    }

    /** {@code EXPORTSUPPORTED-SUCCESS}. */
    record ExportSupportedSuccess() implements Response {
    }

    /** {@code EXPORTSUPPORTED-FAILURE}. */
    record ExportSupportedFailure() implements Response {
    }

    /** {@code UNSUPPORTED-REQUEST}. */
    record UnsupportedRequest() implements Response {
    }
}

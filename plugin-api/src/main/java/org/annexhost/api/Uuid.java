package org.annexhost.api;

/**
 * A git-annex repository uuid. git-annex treats uuids as opaque words (cluster uuids and the
 * web remote's are not RFC 4122), so this only refuses what cannot travel as one protocol word:
 * empty, whitespace, control characters, path separators, more than 100 characters.
 *
 * @param value the uuid as git-annex writes it
 * @since 0.1
 */
public record Uuid(String value) {
    /** Validates the value. */
    public Uuid {
        if (value == null || value.isEmpty() || value.length() > 100) {
            throw new IllegalArgumentException("invalid uuid: " + (value == null ? "null" : "\"" + value + "\""));
        }
        for (char c : value.toCharArray()) {
            if (c <= 0x20 || c == 0x7f || c == '/' || c == '\\') {
                throw new IllegalArgumentException("invalid character in uuid \"" + value.strip() + "\"");
            }
        }
    }

    /** @return a new random uuid of the RFC 4122 form git-annex generates */
    public static Uuid random() {
        return new Uuid(java.util.UUID.randomUUID().toString());
    }

    @Override
    public String toString() {
        return value;
    }
}

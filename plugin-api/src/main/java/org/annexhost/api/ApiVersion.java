package org.annexhost.api;

/**
 * The version of this plugin API. The host gives it to PF4J as the system version, so a plugin's
 * {@code Plugin-Requires} range is really checked against it.
 *
 * @since 0.1
 */
public final class ApiVersion {
    /**
     * The API version plugins compile against: semantic, and while it is 0.x a patch bump may add
     * (0.1.1 added {@link DataSize}; 0.1.2 added the stream toolkit of
     * {@code org.annexhost.api.content}; 0.1.3 the contract kit's backend context and
     * {@code SourceInputStream}), a minor bump
     * may break.
     */
    public static final String CURRENT = "0.1.3";

    private ApiVersion() {
    }
}

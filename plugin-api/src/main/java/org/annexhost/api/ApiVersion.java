package org.annexhost.api;

/**
 * The version of this plugin API. The host gives it to PF4J as the system version, so a plugin's
 * {@code Plugin-Requires} range is really checked against it.
 *
 * @since 0.1
 */
public final class ApiVersion {
    /** The API version plugins compile against: semantic, a minor bump may add, a major break. */
    public static final String CURRENT = "0.1.0";

    private ApiVersion() {
    }
}

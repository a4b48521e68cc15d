package org.annexhost.plugins.s3;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.annexhost.api.BackendConfig;
import org.annexhost.api.BackendException;
import org.annexhost.api.DataSize;

/**
 * A remote's S3 settings, read from its configuration with git-annex's names and defaults
 * ({@code Remote/S3.hs}: {@code s3Configuration}, {@code extractS3Info}), so a remote git-annex
 * configured means the same here. Immutable.
 *
 * @param endpoint where requests go, e.g. {@code http://127.0.0.1:9000}
 * @param region the signing region
 * @param bucket the bucket, lower case as git-annex makes it
 * @param layout where keys go in the bucket
 * @param pathStyle {@code requeststyle=path}: the bucket in the path, not the host name
 * @param storageClass sent with every object
 * @param publicRead {@code public=yes}: objects (and a created bucket) get the public-read ACL
 * @param partSize multipart uploads for objects larger than this; 0 for single PUTs
 * @param metadata {@code x-amz-meta-*} headers, without the prefix
 * @param tagging {@code x-amz-tagging}, or empty
 * @param anonymous {@code signature=anonymous}: unsigned requests
 * @param signatureV2 {@code signature=v2} was asked for; the SDK signs with v4 only
 */
record S3Settings(URI endpoint, String region, String bucket, S3Layout layout, boolean pathStyle,
                  String storageClass, boolean publicRead, long partSize, Map<String, String> metadata,
                  String tagging, boolean anonymous, boolean signatureV2) {
    /** git-annex's {@code AWS.s3DefaultHost}. */
    static final String DEFAULT_HOST = "s3.amazonaws.com";
    private static final String META_PREFIX = "x-amz-meta-";

    S3Settings {
        metadata = Map.copyOf(metadata);
    }

    /** Reads and checks a remote's configuration; every refusal names the parameter. */
    static S3Settings of(BackendConfig config) throws BackendException {
        String remote = "remote " + config.remoteName() + ": ";
        refuseUnsupported(config, remote);
        String host = config.get("host").filter(h -> !h.isBlank()).orElse(DEFAULT_HOST);
        Optional<String> protocol = config.get("protocol").filter(p -> !p.isBlank());
        if (protocol.isPresent() && !protocol.get().equals("http") && !protocol.get().equals("https")) {
            throw new BackendException(remote + "bad S3 protocol value: " + protocol.get() + " (http or https)");
        }
        int port = port(config, protocol, remote);
        String scheme = protocol.orElse(port == 443 ? "https" : "http");
        String region = region(config);
        URI endpoint = host.equals(DEFAULT_HOST)
                ? URI.create(scheme + "://s3." + region + ".amazonaws.com")
                : URI.create(scheme + "://" + hostPart(host) + ":" + port);
        String style = config.get("requeststyle").orElse("");
        if (!style.isEmpty() && !style.equals("path") && !style.equals("domain")) {
            throw new BackendException(remote + "bad S3 requeststyle value: " + style + " (path or domain)");
        }
        String signature = config.get("signature").orElse("v4");
        if (!signature.equals("v4") && !signature.equals("v2") && !signature.equals("anonymous")) {
            throw new BackendException(remote + "bad signature value: " + signature + " (v2, v4 or anonymous)");
        }
        String bucket = config.require("bucket").toLowerCase(Locale.ROOT);
        return new S3Settings(endpoint, region, bucket, new S3Layout(config.get("fileprefix").orElse("")),
                style.equals("path"), config.get("storageclass").filter(s -> !s.isBlank()).orElse("STANDARD"),
                yes(config, "public", remote), partSize(config, remote), metadata(config),
                config.get("x-amz-tagging").orElse(""), signature.equals("anonymous"), signature.equals("v2"));
    }

    private static void refuseUnsupported(BackendConfig config, String remote) throws BackendException {
        String enc = config.get("encryption").orElse("none");
        if (!enc.equals("none")) {
            throw new BackendException(remote + "encryption=" + enc
                    + " is not supported by annexhost's S3 type; use encryption=none");
        }
        for (String flag : new String[] {"exporttree", "importtree", "versioning"}) {
            if (yes(config, flag, remote)) {
                throw new BackendException(remote + flag + "=yes is not supported by annexhost's S3 type"
                        + " (it stores keys only, unversioned)");
            }
        }
        if (config.get("mungekeys").filter(v -> !v.isBlank()).isPresent()
                || config.get("host").map(h -> h.toLowerCase(Locale.ROOT).endsWith(".archive.org")).orElse(false)) {
            throw new BackendException(remote + "the Internet Archive mode of git-annex's S3 remote is not supported");
        }
    }

    /** git-annex: port 80 (its recorded default) gives way to 443 when protocol=https. */
    private static int port(BackendConfig config, Optional<String> protocol, String remote) throws BackendException {
        Optional<String> given = config.get("port").filter(p -> !p.isBlank());
        boolean https = protocol.map("https"::equals).orElse(false);
        if (given.isEmpty()) {
            return https ? 443 : 80;
        }
        int p;
        try {
            p = Integer.parseInt(given.get().trim());
        } catch (NumberFormatException e) {
            throw new BackendException(remote + "bad S3 port value: " + given.get());
        }
        if (p <= 0 || p > 65535) {
            throw new BackendException(remote + "bad S3 port value: " + given.get());
        }
        return p == 80 && https ? 443 : p;
    }

    /** {@code region=}, else the datacenter git-annex records (US and EU are its old names), else us-east-1. */
    static String region(BackendConfig config) {
        Optional<String> region = config.get("region").filter(r -> !r.isBlank());
        if (region.isPresent()) {
            return region.get();
        }
        String dc = config.get("datacenter").filter(d -> !d.isBlank()).orElse("US");
        return switch (dc) {
            case "US" -> "us-east-1";
            case "EU" -> "eu-west-1";
            default -> dc;
        };
    }

    private static String hostPart(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static boolean yes(BackendConfig config, String name, String remote) throws BackendException {
        String v = config.get(name).orElse("no").toLowerCase(Locale.ROOT);
        return switch (v) {
            case "yes", "true" -> true;
            case "no", "false", "" -> false;
            default -> throw new BackendException(remote + "bad " + name + " value: " + v + " (yes or no)");
        };
    }

    private static long partSize(BackendConfig config, String remote) throws BackendException {
        Optional<String> v = config.get("partsize").filter(s -> !s.isBlank());
        if (v.isEmpty()) {
            return 0;
        }
        try {
            return DataSize.parse(v.get());
        } catch (IllegalArgumentException e) {
            throw new BackendException(remote + "bad partsize value: " + v.get() + " (e.g. 1GiB)");
        }
    }

    private static Map<String, String> metadata(BackendConfig config) {
        Map<String, String> out = new TreeMap<>();
        config.values().forEach((k, v) -> {
            if (k.startsWith(META_PREFIX) && k.length() > META_PREFIX.length()) {
                out.put(k.substring(META_PREFIX.length()), v);
            }
        });
        return out;
    }
}

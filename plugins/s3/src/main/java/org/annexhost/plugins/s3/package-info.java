/**
 * The S3 storage plugin: git-annex's S3 special remote layout ({@code type=S3}) over the AWS SDK
 * for Java. Depends only on plugin-api and the SDK it carries in its jar; nothing of the host.
 */
package org.annexhost.plugins.s3;

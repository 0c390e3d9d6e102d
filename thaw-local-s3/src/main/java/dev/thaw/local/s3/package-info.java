/**
 * An embedded S3 server over a directory, for one-host clusters and tests.
 */
package dev.thaw.local.s3;

/**
 * Trust in snapshots: signing info.json with node keys and verifying it against the trusted
 * signers.
 */
package dev.thaw.snapshot.trust;

/**
 * A snapshot's working set: the chunks of its memory file that a restore touched, in order, until
 * the first response. It is recorded once per revision, published signed beside the snapshot's
 * manifest, and used by later restores to fetch ({@link dev.thaw.snapshot.workingset.WorkingSetPrefetch})
 * or read ahead ({@link dev.thaw.snapshot.workingset.ReadAhead}) those chunks before the guest asks for them.
 */
package dev.thaw.snapshot.workingset;

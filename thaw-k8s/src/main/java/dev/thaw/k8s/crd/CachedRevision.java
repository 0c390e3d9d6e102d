package dev.thaw.k8s.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One function revision whose snapshot the node holds, all of it or a part (chunks it has for other
 * revisions, or fetched so far).
 *
 * <p>Size: a function name is at most 63 characters, a revision at most 128, and
 * {@code lastUse} an RFC 3339 timestamp of at most 30, so one entry serializes
 * to at most about 320 bytes of JSON (typically about 170). The default bound of
 * 500 entries keeps the list under about 160 KiB, a tenth of etcd's 1.5 MiB
 * object limit, and still fits within the CRD's ceiling of 2000 entries (about 640 KiB).
 *
 * @param function the function's name
 * @param revision the revision's id
 * @param bytes the bytes of the snapshot on the node's disk
 * @param lastUse when an instance last started from it, RFC 3339 in UTC; absent for a snapshot the node
 *     holds only part of and never started from
 * @param totalBytes the whole snapshot, at least {@code bytes}; equal when the node holds all of it. 0 in
 *     objects from node agents that list whole snapshots only
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CachedRevision(String function, String revision, long bytes, String lastUse, long totalBytes) {

    /** A whole snapshot: {@code totalBytes} is {@code bytes}. */
    public CachedRevision(String function, String revision, long bytes, String lastUse) {
        this(function, revision, bytes, lastUse, bytes);
    }

    /** Whether the node holds all of the snapshot (always, in objects without {@code totalBytes}). */
    public boolean whole() {
        return totalBytes <= 0 || bytes >= totalBytes;
    }
}

package dev.thaw.k8s.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One function revision whose snapshot the node's cache holds.
 *
 * <p>Size: a function name is at most 63 characters, a revision at most 128, and
 * {@code lastUse} an RFC 3339 timestamp of at most 30, so one entry serializes
 * to at most about 290 bytes of JSON (typically about 150). The default bound of
 * 500 entries keeps the list under about 150 KiB, a tenth of etcd's 1.5 MiB
 * object limit, and still fits within the CRD's ceiling of 2000 entries (about 580 KiB).
 *
 * @param function the function's name
 * @param revision the revision's id
 * @param bytes the snapshot's size on the node's disk
 * @param lastUse when an instance last started from it, RFC 3339 in UTC
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CachedRevision(String function, String revision, long bytes, String lastUse) {}

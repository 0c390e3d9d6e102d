package dev.thaw.k8s.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** @param nodeName the Kubernetes node whose cache the object describes; equal to the object's name */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NodeSnapshotCacheSpec(String nodeName) {}

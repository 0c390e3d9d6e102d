package dev.thaw.wire.v1.extender;

/**
 * One node's score for a pod, as kube-scheduler's {@code extender/v1.HostPriority}:
 * {@code {"host": ..., "score": 0..10}}.
 */
public record HostPriority(String host, long score) {
    /** kube-scheduler's {@code MaxExtenderPriority}. */
    public static final int MAX_SCORE = 10;
}

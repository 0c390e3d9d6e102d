package dev.thaw.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thaw.api.Json;
import dev.thaw.control.extender.Extender;
import dev.thaw.control.extender.InMemoryCacheView;
import dev.thaw.control.extender.NodeCacheState;
import dev.thaw.control.extender.RevisionOfPod;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.wire.v1.extender.ExtenderArgs;
import dev.thaw.wire.v1.extender.HostPriority;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The scheduler extender's cost per kube-scheduler request, in memory: a simulated
 * cluster whose nodes each cache a Zipf-distributed subset of revisions (popular
 * functions on many nodes, the tail on few) under random load, and pods whose
 * revisions follow the same popularity. No HTTP, no API server.
 */
public final class ExtenderBenchmark {
    /** Revisions per node cache: a 10 GiB budget of ~100 MiB snapshots. */
    static final int REVISIONS_PER_NODE = 100;
    /** Nodes per request in the JSON measurement, as kube-scheduler sends them with nodeCacheCapable. */
    static final int JSON_NODES = 1000;

    /**
     * @param nodes simulated nodes, all candidates in every request
     * @param revisions distinct function revisions in the cluster
     * @param requests scheduling requests timed (after as many warm-up requests)
     * @param cachedEntries revisions cached, summed over nodes
     * @param cacheViewBytes approximate heap of the in-memory cache view
     * @param prioritizeMs {@code Extender.prioritize} over all nodes, per request
     * @param filterMs {@code Extender.filter} over all nodes, per request
     * @param jsonMs parsing an ExtenderArgs of {@value #JSON_NODES} node names plus
     *     writing a {@value #JSON_NODES}-entry priority list, per request
     */
    public record Result(int nodes, int revisions, int requests, long cachedEntries, long cacheViewBytes,
            Percentiles prioritizeMs, Percentiles filterMs, Percentiles jsonMs) {
    }

    private ExtenderBenchmark() {
    }

    public static Result run(int nodes, int revisions, int requests, long seed) {
        if (nodes < 1 || revisions < 1 || requests < 1) {
            throw new IllegalArgumentException("nodes, revisions and requests must be positive");
        }
        Random random = new Random(seed);
        double[] popularity = zipfCdf(revisions);
        InMemoryCacheView view = new InMemoryCacheView();
        List<String> names = new ArrayList<>(nodes);
        long entries = 0;
        for (int n = 0; n < nodes; n++) {
            String name = "node-" + n;
            Set<String> cached = new HashSet<>();
            int wanted = Math.min(REVISIONS_PER_NODE, revisions);
            for (int attempt = 0; cached.size() < wanted && attempt < wanted * 20; attempt++) {
                cached.add(revision(sample(popularity, random)));
            }
            int slotsTotal = 16;
            int slotsFree = random.nextInt(slotsTotal + 1);
            view.put(name, new NodeCacheState(cached, 64L * 1024 * slotsFree / slotsTotal, 64L * 1024, slotsFree,
                    slotsTotal));
            names.add(name);
            entries += cached.size();
        }
        Extender extender = new Extender(view, SchedulerPolicy.SNAPSHOT_AWARE);
        List<Double> prioritize = new ArrayList<>(requests);
        List<Double> filter = new ArrayList<>(requests);
        long sink = 0;
        for (int i = 0; i < 2 * requests; i++) {
            ExtenderArgs args = ExtenderArgs.ofNames(pod(revision(sample(popularity, random))), names);
            long start = System.nanoTime();
            List<HostPriority> scores = extender.prioritize(args);
            long scored = System.nanoTime();
            sink += extender.filter(args).nodenames().size();
            long filtered = System.nanoTime();
            sink += scores.getFirst().score();
            if (i >= requests) { // the first half warms the JIT up
                prioritize.add((scored - start) / 1e6);
                filter.add((filtered - scored) / 1e6);
            }
        }
        List<Double> json = jsonCost(requests, random, popularity, extender);
        if (sink == Long.MIN_VALUE) {
            System.out.print(""); // keeps the results alive
        }
        return new Result(nodes, revisions, requests, entries, view.approximateBytes(), Percentiles.of(prioritize),
                Percentiles.of(filter), Percentiles.of(json));
    }

    private static List<Double> jsonCost(int requests, Random random, double[] popularity, Extender extender) {
        List<String> names = new ArrayList<>(JSON_NODES);
        for (int n = 0; n < JSON_NODES; n++) {
            names.add("ip-10-0-" + (n / 250) + "-" + (n % 250) + ".eu-west-1.compute.internal");
        }
        String nodenames = names.stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(","));
        List<HostPriority> answer = names.stream().map(n -> new HostPriority(n, 6)).toList();
        List<Double> samples = new ArrayList<>(requests);
        long sink = 0;
        for (int i = 0; i < 2 * requests; i++) {
            byte[] body = ("{\"pod\":" + pod(revision(sample(popularity, random))) + ",\"nodenames\":[" + nodenames
                    + "]}").getBytes(StandardCharsets.UTF_8);
            long start = System.nanoTime();
            ExtenderArgs args = ExtenderArgs.parse(body);
            sink += Json.write(answer).length() + args.nodeNames().size();
            long done = System.nanoTime();
            if (i >= requests) {
                samples.add((done - start) / 1e6);
            }
        }
        return sink == Long.MIN_VALUE ? List.of() : samples;
    }

    private static String revision(int rank) {
        return RevisionOfPod.key("fn-" + rank, String.valueOf(1 + rank % 7));
    }

    /** A pod as kube-scheduler sends it, trimmed to what a Deployment's pod carries. */
    private static JsonNode pod(String revision) {
        String[] parts = revision.split("/");
        return Json.mapper().valueToTree(java.util.Map.of(
                "metadata", java.util.Map.of("name", parts[0] + "-7d9f8b6c5-x2x9k", "namespace", "functions",
                        "uid", "0f2a6c1e-8d3b-4c55-9f1a-2b7e4d9c0a11", "labels",
                        java.util.Map.of("thaw.dev/function", parts[0], "thaw.dev/revision", parts[1],
                                "pod-template-hash", "7d9f8b6c5")),
                "spec", java.util.Map.of("schedulerName", "default-scheduler", "containers", List.of(java.util.Map.of(
                        "name", "function", "image", "ghcr.io/thaw/" + parts[0] + ":" + parts[1], "resources",
                        java.util.Map.of("requests", java.util.Map.of("memory", "256Mi", "cpu", "250m"))))),
                "status", java.util.Map.of("phase", "Pending")));
    }

    /** Cumulative Zipf(s = 1) over revision ranks 0..n-1. */
    private static double[] zipfCdf(int n) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += 1.0 / (k + 1);
            cdf[k] = sum;
        }
        for (int k = 0; k < n; k++) {
            cdf[k] /= sum;
        }
        return cdf;
    }

    private static int sample(double[] cdf, Random random) {
        int index = Arrays.binarySearch(cdf, random.nextDouble());
        return Math.min(cdf.length - 1, index >= 0 ? index : -index - 1);
    }

    /** {@code ExtenderBenchmark [nodes revisions requests seed]}: prints the result. */
    public static void main(String[] args) {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int revisions = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int requests = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 1;
        System.out.println(Json.write(run(nodes, revisions, requests, seed)));
    }
}

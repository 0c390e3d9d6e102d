package dev.thaw.control.deploy;

import dev.thaw.control.functions.DeployedFunction;
import dev.thaw.control.registry.RegistryContents;
import dev.thaw.control.registry.RegistryProblem;
import dev.thaw.control.registry.StoredFunction;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Deployed functions by name as this gateway serves them: the single source of truth for
 * "does this function exist", filled from the durable registry at start and kept in step
 * with it by every deploy and delete. Until the first load succeeds it is unavailable, so
 * the gateway answers 503 rather than take an empty map for "no functions".
 */
public final class FunctionRegistry {
    private final Map<String, DeployedFunction> functions = new ConcurrentHashMap<>();
    private final Map<String, Long> generations = new ConcurrentHashMap<>();
    private final Map<String, RegistryProblem> problems = new ConcurrentHashMap<>();
    private volatile String unavailable = "the function registry is being loaded";
    private volatile boolean loaded;

    public Optional<DeployedFunction> find(String name) {
        return Optional.ofNullable(functions.get(name));
    }

    public List<DeployedFunction> all() {
        return functions.values().stream().sorted(Comparator.comparing(DeployedFunction::name)).toList();
    }

    /** The generation the next write of {@code name} must name: 0 for a name never written. */
    public long generation(String name) {
        return generations.getOrDefault(name, 0L);
    }

    /** The latest generation of every name this gateway knows, deleted ones too. */
    public Map<String, Long> generations() {
        return Map.copyOf(generations);
    }

    /** Replaces the problem recorded for {@code name}: none when {@code problem} is null. */
    public void problem(String name, RegistryProblem problem) {
        if (problem == null) {
            problems.remove(name);
        } else {
            problems.put(name, problem);
        }
    }

    /** Records a successful write to the durable registry. */
    public void put(StoredFunction stored) {
        functions.put(stored.function().name(), stored.function());
        generations.put(stored.function().name(), stored.generation());
        problems.remove(stored.function().name());
    }

    /** Records a deletion written as {@code generation}. */
    public Optional<DeployedFunction> remove(String name, long generation) {
        generations.put(name, generation);
        problems.remove(name);
        return Optional.ofNullable(functions.remove(name));
    }

    /** The problem with {@code name}'s record, if the last load found one. */
    public Optional<RegistryProblem> problem(String name) {
        return Optional.ofNullable(problems.get(name));
    }

    public List<RegistryProblem> problems() {
        return problems.values().stream().sorted(Comparator.comparing(RegistryProblem::function)).toList();
    }

    /** Why the registry cannot be served yet, or empty once it is loaded. */
    public Optional<String> unavailable() {
        return Optional.ofNullable(unavailable);
    }

    /** Says why the first load has not succeeded; ignored once one has. */
    public void unavailable(String reason) {
        if (!loaded) {
            unavailable = reason;
        }
    }

    /** Replaces everything with what a load found, and marks the registry available. */
    public synchronized void loaded(RegistryContents contents) {
        functions.clear();
        generations.clear();
        problems.clear();
        generations.putAll(contents.generations());
        for (StoredFunction f : contents.functions()) {
            functions.put(f.function().name(), f.function());
        }
        for (RegistryProblem p : contents.problems()) {
            problems.put(p.function(), p);
        }
        loaded = true;
        unavailable = null;
    }
}

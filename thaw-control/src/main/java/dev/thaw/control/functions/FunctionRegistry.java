package dev.thaw.control.functions;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Deployed functions by name: the single source of truth for "does this function exist". */
public final class FunctionRegistry {
    private final Map<String, DeployedFunction> functions = new ConcurrentHashMap<>();

    public Optional<DeployedFunction> find(String name) {
        return Optional.ofNullable(functions.get(name));
    }

    public void put(DeployedFunction function) {
        functions.put(function.name(), function);
    }

    public Optional<DeployedFunction> remove(String name) {
        return Optional.ofNullable(functions.remove(name));
    }

    public List<DeployedFunction> all() {
        return functions.values().stream().sorted(Comparator.comparing(DeployedFunction::name)).toList();
    }
}

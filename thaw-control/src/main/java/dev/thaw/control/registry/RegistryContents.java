package dev.thaw.control.registry;

import java.util.List;
import java.util.Map;

/**
 * Everything a registry load found: the functions to serve, the records it could not serve,
 * and the latest generation of every name ever written (deleted ones too), which the next
 * write of that name must name.
 */
public record RegistryContents(List<StoredFunction> functions, List<RegistryProblem> problems,
        Map<String, Long> generations) {
    public RegistryContents {
        functions = List.copyOf(functions);
        problems = List.copyOf(problems);
        generations = Map.copyOf(generations);
    }
}

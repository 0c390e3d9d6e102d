package dev.thaw.k8s.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Optional;

/**
 * What gateways say about a ThawFunction.
 *
 * @param observedGeneration the {@code metadata.generation} the gateways last acted on
 * @param revision the revision being served, or null when none is
 * @param conditions {@code Ready}: True once {@code revision} serves the current spec; False with a reason
 *     and message when the spec is malformed, conflicts or failed to build (the revision served before, if
 *     any, keeps serving); Unknown while it builds
 * @param instances instances of the function across the gateways' {@code gateways} reports
 * @param cachingNodes nodes that hold all of {@code revision}'s snapshot (from their NodeSnapshotCache)
 * @param gateways each gateway replica's own report
 * @param served what gateways need to serve {@code revision}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ThawFunctionStatus(Long observedGeneration, String revision, List<FunctionCondition> conditions,
        Integer instances, List<String> cachingNodes, List<GatewayReport> gateways, ServedRevision served) {

    public static final ThawFunctionStatus EMPTY = new ThawFunctionStatus(null, null, List.of(), 0, List.of(),
            List.of(), null);

    public ThawFunctionStatus {
        conditions = conditions == null ? List.of() : List.copyOf(conditions);
        cachingNodes = cachingNodes == null ? List.of() : List.copyOf(cachingNodes);
        gateways = gateways == null ? List.of() : List.copyOf(gateways);
    }

    public Optional<FunctionCondition> ready() {
        return conditions.stream().filter(c -> FunctionCondition.READY.equals(c.type())).findFirst();
    }

    public ThawFunctionStatus withReady(FunctionCondition ready, long generation) {
        return new ThawFunctionStatus(generation, revision, List.of(ready), instances, cachingNodes, gateways, served);
    }

    public ThawFunctionStatus withServed(ServedRevision newServed) {
        return new ThawFunctionStatus(observedGeneration, newServed == null ? null : newServed.revision(), conditions,
                instances, cachingNodes, gateways, newServed);
    }

    public ThawFunctionStatus withReports(List<GatewayReport> reports, List<String> nodes) {
        int total = reports.stream().mapToInt(GatewayReport::instances).sum();
        return new ThawFunctionStatus(observedGeneration, revision, conditions, total, nodes, reports, served);
    }
}

package dev.thaw.cli.packaging;

import dev.thaw.sandbox.ExternalCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Builds a kustomization with {@code kubectl kustomize} and checks what a cluster would get,
 * before it gets it: every object parses into fabric8's model class for its kind with no field
 * left over (a misspelt field would otherwise be dropped silently by the API server), and every
 * container names an image in a registry, not one of the placeholders {@link ImageKind#imageName()}
 * that the base uses until an overlay sets them.
 */
public final class ManifestCheck {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final Duration KUSTOMIZE_TIMEOUT = Duration.ofMinutes(2);
    private static final int MAX_DEPTH = 40;

    private ManifestCheck() {
    }

    /** The objects {@code kubectl kustomize dir} builds. */
    public static List<HasMetadata> build(Path dir) throws IOException {
        if (!ExternalCommand.onPath("kubectl")) {
            throw new IOException("kubectl not found: building the manifests needs its kustomize (install kubectl)");
        }
        ExternalCommand.Result result = ExternalCommand.run(List.of("kubectl", "kustomize", dir.toString()), null,
                KUSTOMIZE_TIMEOUT, Map.of());
        if (!result.succeeded()) {
            throw new IOException("kubectl kustomize " + dir + " failed: " + ExternalCommand.lastLines(result.stderr(), 5));
        }
        Object loaded = SERIALIZATION.unmarshal(result.stdout());
        if (loaded instanceof KubernetesList list) {
            return list.getItems();
        }
        if (loaded instanceof List<?> list) {
            return list.stream().map(HasMetadata.class::cast).toList();
        }
        return List.of((HasMetadata) loaded);
    }

    /**
     * Builds {@code dir} and returns every problem found, as "Kind/name: what"; empty when the
     * manifests are fit to apply.
     */
    public static List<String> problems(Path dir) throws IOException {
        List<String> problems = new ArrayList<>();
        for (HasMetadata object : build(dir)) {
            String where = object.getKind() + "/" + object.getMetadata().getName();
            if (object instanceof GenericKubernetesResource) {
                problems.add(where + ": kind " + object.getApiVersion() + " " + object.getKind()
                        + " has no model class, so its fields cannot be checked");
                continue;
            }
            unknownFields(object, where, problems);
            PodTemplateSpec template = switch (object) {
                case Deployment d -> d.getSpec().getTemplate();
                case DaemonSet d -> d.getSpec().getTemplate();
                case StatefulSet s -> s.getSpec().getTemplate();
                default -> null;
            };
            if (template == null) {
                continue;
            }
            List<Container> containers = Stream.concat(template.getSpec().getContainers().stream(),
                    template.getSpec().getInitContainers().stream()).toList();
            for (Container container : containers) {
                String image = container.getImage();
                if (image == null || image.isBlank()) {
                    problems.add(where + ": container " + container.getName() + " names no image");
                } else if (Stream.of(ImageKind.values()).anyMatch(k -> image.equals(k.imageName())
                        || image.startsWith(k.imageName() + ":") || image.startsWith(k.imageName() + "@"))) {
                    problems.add(where + ": container " + container.getName() + " still has the placeholder image '"
                            + image + "'; the overlay needs an images: entry with name: " + image.replaceAll("[:@].*", "")
                            + " (thaw package image --push ... --overlay DIR writes one)");
                }
            }
        }
        return problems;
    }

    /** Adds a problem for every model object below {@code object} that kept fields its class does not know. */
    static void unknownFields(Object object, String where, List<String> problems) {
        walk(object, where, problems, java.util.Collections.newSetFromMap(new IdentityHashMap<>()), 0);
    }

    private static void walk(Object value, String path, List<String> problems, Set<Object> seen, int depth) {
        if (value == null || depth > MAX_DEPTH || !seen.add(value)) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                walk(item, path + "[" + i++ + "]", problems, seen, depth + 1);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, problems, seen, depth + 1));
            return;
        }
        if (!value.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            Object child;
            try {
                child = getter.invoke(value);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
            if (field.equals("additionalProperties")) {
                if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": unknown field" + (extra.size() == 1 ? " " : "s ") + extra.keySet());
                }
                continue;
            }
            walk(child, path + "." + field, problems, seen, depth + 1);
        }
    }
}

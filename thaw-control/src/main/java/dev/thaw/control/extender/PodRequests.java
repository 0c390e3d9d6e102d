package dev.thaw.control.extender;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pod's memory request in MiB, as kube-scheduler counts it: the sum over its
 * containers, or the largest init container if that is more, plus pod overhead.
 */
final class PodRequests {
    private static final Pattern QUANTITY = Pattern.compile("([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?");
    private static final BigDecimal MIB = BigDecimal.valueOf(1L << 20);

    private PodRequests() {
    }

    /** Empty when no container requests memory or a quantity cannot be read. */
    static OptionalLong memoryMib(JsonNode pod) {
        JsonNode spec = pod.path("spec");
        try {
            BigDecimal containers = sum(spec.path("containers"));
            BigDecimal init = max(spec.path("initContainers"));
            BigDecimal overhead = quantity(spec.path("overhead").path("memory"));
            BigDecimal total = containers.max(init).add(overhead);
            if (total.signum() <= 0) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(total.divide(MIB, 0, RoundingMode.CEILING).longValueExact());
        } catch (ArithmeticException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static BigDecimal sum(JsonNode containers) {
        BigDecimal sum = BigDecimal.ZERO;
        for (JsonNode container : containers) {
            sum = sum.add(request(container));
        }
        return sum;
    }

    private static BigDecimal max(JsonNode containers) {
        BigDecimal max = BigDecimal.ZERO;
        for (JsonNode container : containers) {
            max = max.max(request(container));
        }
        return max;
    }

    private static BigDecimal request(JsonNode container) {
        return quantity(container.path("resources").path("requests").path("memory"));
    }

    /** A Kubernetes resource quantity in bytes ({@code 512Mi}, {@code 1G}, {@code 1e9}, {@code 1048576}). */
    static BigDecimal quantity(JsonNode value) {
        if (value.isNumber()) {
            return value.decimalValue();
        }
        if (!value.isTextual()) {
            return BigDecimal.ZERO;
        }
        Matcher m = QUANTITY.matcher(value.asText().strip());
        if (!m.matches()) {
            throw new NumberFormatException("not a quantity: " + value.asText());
        }
        BigDecimal number = new BigDecimal(m.group(1));
        String suffix = m.group(2) == null ? "" : m.group(2);
        return switch (suffix) {
            case "" -> number;
            case "m" -> number.movePointLeft(3);
            case "k" -> number.movePointRight(3);
            case "M" -> number.movePointRight(6);
            case "G" -> number.movePointRight(9);
            case "T" -> number.movePointRight(12);
            case "P" -> number.movePointRight(15);
            case "E" -> number.movePointRight(18);
            default -> number.multiply(BigDecimal.valueOf(2).pow(10 * (1 + "KiMiGiTiPiEi".indexOf(suffix) / 2)));
        };
    }
}

package dev.thaw.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {

    record Sample(String someName, Instant at, Duration took, List<Integer> values, int count) {}

    @Test
    void roundTripsRecordsKeepingJavaNamesAndIsoTimes() {
        Sample sample = new Sample("x", Instant.parse("2025-01-31T12:00:00.123456Z"), Duration.ofMillis(1500), List.of(1, 2), 3);
        String json = Json.write(sample);
        assertThat(json).isEqualTo("{\"someName\":\"x\",\"at\":\"2025-01-31T12:00:00.123456Z\",\"took\":\"PT1.5S\","
                + "\"values\":[1,2],\"count\":3}");
        assertThat(Json.read(json, Sample.class)).isEqualTo(sample);
    }

    @Test
    void unknownPropertiesAreAnError() {
        String json = "{\"someName\":\"x\",\"at\":null,\"took\":null,\"values\":[],\"count\":1,\"extra\":1}";
        assertThatThrownBy(() -> Json.read(json, Sample.class))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("cannot read JSON as Sample: Unrecognized field \"extra\"")
                .hasMessageEndingWith("(at extra)");
    }

    @Test
    void nullOrMissingPrimitiveIsAnError() {
        assertThatThrownBy(() -> Json.read("{\"count\":null}", Sample.class))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("Cannot map `null` into type `int`")
                .hasMessageEndingWith("(at count)");
        assertThatThrownBy(() -> Json.read("{\"someName\":\"x\"}", Sample.class))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("(at count)");
    }

    @Test
    void pathOfNestedProblemIsReported() {
        assertThatThrownBy(() -> Json.read("{\"values\":[1,\"x\"],\"count\":1}", Sample.class))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageEndingWith("(at values[1])");
    }

    @Test
    void duplicateKeysAreAnError() {
        assertThatThrownBy(() -> Json.read("{\"count\":1,\"count\":2}", Sample.class))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("Duplicate field 'count'");
    }

    @Test
    void malformedJsonIsUncheckedIoException() {
        assertThatThrownBy(() -> Json.read("{\"someName\":", Sample.class))
                .isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(com.fasterxml.jackson.core.JsonProcessingException.class);
    }

    @Test
    void unserializableValueIsUncheckedIoException() {
        assertThatThrownBy(() -> Json.write(new Object()))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("cannot write Object as JSON");
    }

    @Test
    void mapperIsShared() {
        assertThat(Json.mapper()).isSameAs(Json.mapper());
    }
}

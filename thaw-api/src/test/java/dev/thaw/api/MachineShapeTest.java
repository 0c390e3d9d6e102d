package dev.thaw.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MachineShapeTest {

    @Test
    void defaultIs256MibOneVcpu() {
        assertThat(MachineShape.DEFAULT).isEqualTo(new MachineShape(256, 1));
    }

    @Test
    void acceptsBounds() {
        assertThat(new MachineShape(64, 1).memoryMib()).isEqualTo(64);
        assertThat(new MachineShape(16384, 16).vcpus()).isEqualTo(16);
    }

    @Test
    void rejectsMemoryOutOfRange() {
        assertThatThrownBy(() -> new MachineShape(63, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memoryMib must be between 64 and 16384 MiB, got 63");
        assertThatThrownBy(() -> new MachineShape(16385, 1)).hasMessageContaining("got 16385");
    }

    @Test
    void rejectsVcpusOutOfRange() {
        assertThatThrownBy(() -> new MachineShape(256, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("vcpus must be between 1 and 16, got 0");
        assertThatThrownBy(() -> new MachineShape(256, 17)).hasMessageContaining("got 17");
    }

    @Test
    void roundTripsThroughJson() {
        String json = Json.write(new MachineShape(512, 2));
        assertThat(json).isEqualTo("{\"memoryMib\":512,\"vcpus\":2}");
        assertThat(Json.read(json, MachineShape.class)).isEqualTo(new MachineShape(512, 2));
    }
}

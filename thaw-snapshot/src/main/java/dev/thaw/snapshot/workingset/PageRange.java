package dev.thaw.snapshot.workingset;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Bytes {@code [offset, offset + length)} of a snapshot file; written as {@code [offset, length]}
 * so that a pack of thousands of ranges stays small.
 */
@JsonFormat(shape = JsonFormat.Shape.ARRAY)
@JsonPropertyOrder({"offset", "length"})
public record PageRange(long offset, long length) {

    public long end() {
        return offset + length;
    }
}

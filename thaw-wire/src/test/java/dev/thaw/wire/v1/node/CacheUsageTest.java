package dev.thaw.wire.v1.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.api.Json;
import org.junit.jupiter.api.Test;

class CacheUsageTest {

    @Test
    void theBudgetsUseCountsTheChunkCacheWhereTheNodeReportsIt() throws Exception {
        CacheUsage usage = new CacheUsage(0, 0, 0, 0, 0, 0, 0, 600, 100, 1000, 2, 250L, 950L);
        CacheUsage back = Json.mapper().readValue(Json.mapper().writeValueAsBytes(usage), CacheUsage.class);

        assertThat(back).isEqualTo(usage);
        assertThat(back.bytesAgainstBudget()).isEqualTo(950);
    }

    @Test
    void aNodeThatDoesNotReportTheSharedBudgetReadsAsItsSnapshotCacheAlone() throws Exception {
        ObjectNode json = Json.mapper().valueToTree(new CacheUsage(0, 0, 0, 0, 0, 0, 0, 600, 100, 1000, 2, 250L, 950L));
        json.remove("chunkBytes"); // what an older node sends
        json.remove("budgetBytesUsed");

        CacheUsage older = Json.mapper().treeToValue(json, CacheUsage.class);

        assertThat(older.chunkBytes()).isNull();
        assertThat(older.budgetBytesUsed()).isNull();
        assertThat(older.bytesAgainstBudget()).isEqualTo(600);
    }
}

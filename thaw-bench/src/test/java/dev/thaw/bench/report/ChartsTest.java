package dev.thaw.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {

    static Map<String, List<Double>> latencies() {
        Random random = new Random(42);
        Map<String, List<Double>> data = new LinkedHashMap<>();
        double[] centres = {5000, 150, 700, 300, 250};
        for (int i = 0; i < Configurations.ALL.size(); i++) {
            List<Double> values = new ArrayList<>();
            for (int k = 0; k < 200; k++) {
                values.add(centres[i] * Math.exp(0.3 * random.nextGaussian()));
            }
            data.put(Configurations.ALL.get(i), values);
        }
        return data;
    }

    static void assertChart(Path png) throws Exception {
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(1200);
        assertThat(image.getHeight()).isEqualTo(700);
        int first = image.getRGB(0, 0);
        assertThat(first & 0xFFFFFF).isEqualTo(0xFFFFFF);
        boolean varied = false;
        for (int y = 0; y < image.getHeight() && !varied; y += 3) {
            for (int x = 0; x < image.getWidth() && !varied; x += 3) {
                varied = image.getRGB(x, y) != first;
            }
        }
        assertThat(varied).as("not all one colour").isTrue();
    }

    @Test
    void boxPlotWritesPng(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("box.png");
        Map<String, List<Double>> data = latencies();
        data.put("empty", List.of());
        Charts.boxPlot(data, "Cold starts", "Latency (ms)", png);
        assertChart(png);
        Path linear = dir.resolve("linear.png");
        Charts.boxPlot(data, "Cold starts", "Latency (ms)", false, linear);
        assertChart(linear);
    }

    @Test
    void cdfWritesPng(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("cdf.png");
        Charts.cdf(latencies(), "CDF", "Latency (ms)", png);
        assertChart(png);
    }

    @Test
    void tailPercentilesWritesPng(@TempDir Path dir) throws Exception {
        List<Sample> samples = new ArrayList<>();
        latencies().forEach((config, values) -> values.forEach(v -> samples.add(new Sample(config, "f", "clone", false, v, 0, 0))));
        samples.add(new Sample("never-cold", "f", "warm", false, 1, 0, 0));
        Path png = dir.resolve("tail.png");
        Charts.tailPercentiles(Summaries.byConfiguration(samples), "Tails", png);
        assertChart(png);
    }

    @Test
    void emptyInputGivesAChartWithANote(@TempDir Path dir) throws Exception {
        Charts.boxPlot(Map.of(), "Empty", "ms", dir.resolve("a.png"));
        Charts.boxPlot(Map.of("local", List.of(Double.NaN)), "Empty", "ms", dir.resolve("b.png"));
        Charts.cdf(Map.of("local", List.of()), "Empty", "ms", dir.resolve("c.png"));
        Charts.tailPercentiles(List.of(), "Empty", dir.resolve("d.png"));
        Charts.tailPercentiles(List.of(Summaries.of("local", List.of())), "Empty", dir.resolve("e.png"));
        for (String name : List.of("a.png", "b.png", "c.png", "d.png", "e.png")) {
            assertChart(dir.resolve(name));
        }
    }

    @Test
    void logAxisTicksAreRoundAndCoverTheData() {
        Axis axis = Axis.of(130, 6200, true);
        assertThat(axis.min()).isEqualTo(100);
        assertThat(axis.max()).isEqualTo(10_000);
        assertThat(axis.ticks()).contains(100.0, 200.0, 500.0, 1000.0, 10_000.0);
        assertThat(Axis.of(0, 730, false).ticks()).first().isEqualTo(0.0);
        assertThat(Axis.of(0, 730, false).max()).isGreaterThanOrEqualTo(730);
    }
}

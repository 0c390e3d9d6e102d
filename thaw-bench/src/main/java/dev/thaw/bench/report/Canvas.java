package dev.thaw.bench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** A white 1200×700 chart with a plot area, axes, title and legend; the charts draw inside it. */
final class Canvas {

    static final int WIDTH = 1200;
    static final int HEIGHT = 700;

    /** Tableau 10: distinct, and still told apart by most colour-blind readers. */
    static final List<Color> PALETTE = List.of(new Color(0x4E79A7), new Color(0xF28E2B), new Color(0xE15759),
            new Color(0x76B7B2), new Color(0x59A14F), new Color(0xEDC948), new Color(0xB07AA1),
            new Color(0xFF9DA7), new Color(0x9C755F), new Color(0xBAB0AC));

    static {
        // There is no display on the build and bench machines; decide before AWT initializes.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    final BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    final Graphics2D g = image.createGraphics();
    // Plot area; the right margin leaves room for the legend.
    final int left = 100;
    final int top = 70;
    final int right = WIDTH - 230;
    final int bottom = HEIGHT - 90;

    Canvas(String title) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 22));
        centered(title, WIDTH / 2, 40);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
    }

    static Color colour(int index) {
        return PALETTE.get(index % PALETTE.size());
    }

    int y(Axis axis, double value) {
        return (int) Math.round(bottom - axis.fraction(value) * (bottom - top));
    }

    int x(Axis axis, double value) {
        return (int) Math.round(left + axis.fraction(value) * (right - left));
    }

    /** Vertical value axis with grid lines and its label turned upright along it. */
    void yAxis(Axis axis, String label) {
        FontMetrics fm = g.getFontMetrics();
        for (double tick : axis.ticks()) {
            int y = y(axis, tick);
            g.setColor(new Color(0xE6E6E6));
            g.drawLine(left, y, right, y);
            g.setColor(Color.BLACK);
            g.drawLine(left - 5, y, left, y);
            String text = Axis.label(tick);
            g.drawString(text, left - 8 - fm.stringWidth(text), y + fm.getAscent() / 2 - 1);
        }
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        centered(label + (axis.log() ? " (log scale)" : ""), -(top + bottom) / 2, 30);
        g.setTransform(saved);
        frame();
    }

    /** Horizontal value axis with grid lines, for the CDF. */
    void xAxis(Axis axis, String label) {
        FontMetrics fm = g.getFontMetrics();
        for (double tick : axis.ticks()) {
            int x = x(axis, tick);
            g.setColor(new Color(0xE6E6E6));
            g.drawLine(x, top, x, bottom);
            g.setColor(Color.BLACK);
            g.drawLine(x, bottom, x, bottom + 5);
            centered(Axis.label(tick), x, bottom + 8 + fm.getAscent());
        }
        centered(label + (axis.log() ? " (log scale)" : ""), (left + right) / 2, HEIGHT - 30);
        frame();
    }

    void frame() {
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1));
        g.drawRect(left, top, right - left, bottom - top);
    }

    void legend(List<String> names, List<Color> colours) {
        int x = right + 20;
        int y = top + 10;
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i < names.size(); i++) {
            g.setColor(colours.get(i));
            g.fillRect(x, y + i * 26, 18, 14);
            g.setColor(Color.BLACK);
            g.drawString(names.get(i), x + 26, y + i * 26 + fm.getAscent() - 2);
        }
    }

    /** A note in the middle of the plot area, e.g. when there is nothing to draw. */
    void note(String text) {
        g.setColor(Color.DARK_GRAY);
        g.setFont(g.getFont().deriveFont(Font.ITALIC, 18f));
        centered(text, (left + right) / 2, (top + bottom) / 2);
        g.setFont(g.getFont().deriveFont(Font.PLAIN, 14f));
    }

    void centered(String text, int x, int baseline) {
        g.drawString(text, x - g.getFontMetrics().stringWidth(text) / 2, baseline);
    }

    void save(Path png) {
        g.dispose();
        try {
            Path parent = png.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (!ImageIO.write(image, "png", png.toFile())) {
                throw new IllegalStateException("no PNG writer available");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png, e);
        }
    }
}

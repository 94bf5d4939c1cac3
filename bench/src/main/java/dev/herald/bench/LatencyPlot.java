package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;

/** results/STAMP-latency.png: intake latency against offered load, from the sessions' open-model runs. */
final class LatencyPlot {

    private LatencyPlot() {
    }

    /** p50 and p99 against offered rate, one colour per mode, log-scale latency axis. */
    static boolean plot(ArrayNode sessions, Path file) throws IOException {
        int w = 900;
        int h = 540;
        int left = 80;
        int right = 200;
        int top = 50;
        int bottom = 60;
        double maxRate = 0;
        double minLat = Double.MAX_VALUE;
        double maxLat = 0;
        int points = 0;
        for (JsonNode s : sessions) {
            for (JsonNode r : s.path("fixed_rate")) {
                maxRate = Math.max(maxRate, r.path("offered_per_s").asDouble());
                for (String p : new String[] {"p50_ms", "p99_ms"}) {
                    double v = r.path(p).asDouble();
                    if (v > 0) {
                        minLat = Math.min(minLat, v);
                        maxLat = Math.max(maxLat, v);
                    }
                }
                points++;
            }
        }
        if (points < 2 || maxLat <= 0) {
            return false;
        }
        double lo = Math.pow(10, Math.floor(Math.log10(minLat)));
        double hi = Math.pow(10, Math.ceil(Math.log10(maxLat * 1.01)));
        if (hi <= lo) {
            hi = lo * 10;
        }
        double xMax = niceCeiling(maxRate * 1.05);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        int pw = w - left - right;
        int ph = h - top - bottom;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        // grid: decades on y, 5 ticks on x
        for (double d = lo; d <= hi * 1.001; d *= 10) {
            int y = yOf(d, lo, hi, top, ph);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(left, y, left + pw, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(d >= 1 ? String.format(Locale.ROOT, "%.0f ms", d) : String.format(Locale.ROOT, "%.2g ms", d),
                    8, y + 4);
        }
        for (int i = 0; i <= 5; i++) {
            double v = xMax * i / 5;
            int x = left + (int) (pw * v / xMax);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(x, top, x, top + ph);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%.0f", v), x - 12, top + ph + 18);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, pw, ph);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString("Herald intake: latency (from intended send time) vs offered load", left, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString("offered load, requests/s (open model)", left + pw / 2 - 100, h - 15);
        Color[] colours = {new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44),
            new Color(148, 103, 189)};
        int legendY = top + 10;
        int c = 0;
        for (JsonNode s : sessions) {
            Color colour = colours[c++ % colours.length];
            for (String p : new String[] {"p50_ms", "p99_ms"}) {
                boolean dashed = p.startsWith("p99");
                g.setColor(colour);
                g.setStroke(dashed ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
                        new float[] {8f, 5f}, 0f) : new BasicStroke(2.5f));
                int px = -1;
                int py = -1;
                for (JsonNode r : s.path("fixed_rate")) {
                    int x = left + (int) (pw * r.path("offered_per_s").asDouble() / xMax);
                    int y = yOf(Math.max(lo, r.path(p).asDouble()), lo, hi, top, ph);
                    if (px >= 0) {
                        g.drawLine(px, py, x, y);
                    }
                    g.fillOval(x - 4, y - 4, 8, 8);
                    px = x;
                    py = y;
                }
                g.drawLine(left + pw + 15, legendY, left + pw + 45, legendY);
                g.setColor(Color.BLACK);
                g.drawString(s.path("scenario").asText() + " " + p.substring(0, 3), left + pw + 50, legendY + 4);
                legendY += 20;
            }
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
        return true;
    }

    /** The smallest of 1, 1.25, 1.5, 2, 2.5, 5 x 10^k at or above v, so the five x ticks are round numbers. */
    private static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 1.25, 1.5, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static int yOf(double v, double lo, double hi, int top, int ph) {
        double f = (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
        return top + ph - (int) Math.round(f * ph);
    }
}

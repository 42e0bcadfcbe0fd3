package io.parley.loadgen;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Redis did per message in a measured window, from {@code INFO commandstats} read before and after: per command,
 * calls and microseconds per message (a script's inner commands are counted both in their own line and in the
 * {@code evalsha}'s time, as Redis counts them). Shows where a message's Redis time goes without a profiler:
 * which commands, how many of them, at what cost each.
 */
final class RedisCommandStats {

    private static final Pattern LINE = Pattern.compile("^cmdstat_([^:]+):calls=(\\d+),usec=(\\d+)", Pattern.MULTILINE);

    /** One command's totals: calls and microseconds. */
    record Totals(long calls, long usec) {
    }

    private RedisCommandStats() {
    }

    /** Command → totals from the text of {@code INFO commandstats}. */
    static Map<String, Totals> parse(String info) {
        Map<String, Totals> stats = new TreeMap<>();
        Matcher m = LINE.matcher(info);
        while (m.find()) {
            stats.put(m.group(1), new Totals(Long.parseLong(m.group(2)), Long.parseLong(m.group(3))));
        }
        return stats;
    }

    /**
     * The {@code top} commands by time between two readings, per message: {command: {calls, usec}} (rounded), busiest
     * first, and under {@code "all"} the sum of every command's time. Empty if either reading or the count is missing.
     */
    static Map<String, Object> perMessage(Map<String, Totals> before, Map<String, Totals> after, long messages, int top) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (before == null || after == null || messages <= 0) {
            return out;
        }
        List<Map.Entry<String, Totals>> delta = new ArrayList<>();
        long allUsec = 0;
        for (Map.Entry<String, Totals> e : after.entrySet()) {
            Totals b = before.getOrDefault(e.getKey(), new Totals(0, 0));
            Totals d = new Totals(e.getValue().calls() - b.calls(), e.getValue().usec() - b.usec());
            if (d.calls() > 0 && !e.getKey().equals("info")) { // info: the readings themselves
                delta.add(Map.entry(e.getKey(), d));
                allUsec += d.usec();
            }
        }
        delta.sort((x, y) -> Long.compare(y.getValue().usec(), x.getValue().usec()));
        out.put("all", Map.of("usec", Report.round(allUsec / (double) messages, 2)));
        for (Map.Entry<String, Totals> e : delta.subList(0, Math.min(top, delta.size()))) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("calls", Report.round(e.getValue().calls() / (double) messages, 2));
            row.put("usec", Report.round(e.getValue().usec() / (double) messages, 2));
            out.put(e.getKey(), row);
        }
        return out;
    }

    /** Reads {@code INFO commandstats} from the Redis on 127.0.0.1:{@code port}; null if it cannot be read. */
    static Map<String, Totals> read(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write("INFO commandstats\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String header = readLine(in); // a bulk string: $<length>
            if (!header.startsWith("$")) {
                return null;
            }
            byte[] body = in.readNBytes(Integer.parseInt(header.substring(1)));
            return parse(new String(body, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }
}

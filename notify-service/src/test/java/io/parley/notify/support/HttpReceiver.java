package io.parley.notify.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on loopback standing in for webhook receivers, the third-party (WeChat-style) API and
 * chat-service. Every request is recorded; answers come from responders registered by path prefix (the longest
 * matching prefix wins; default: 200 with an empty body). Each request runs on its own thread, so a responder that
 * hangs holds up nobody else.
 */
public final class HttpReceiver implements AutoCloseable {

    /** A received request; header names are lower case. */
    public record Request(String method, String path, String query, Map<String, String> headers, byte[] body) {

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** An answer. */
    public record Answer(int status, String body, Map<String, String> headers) {

        public Answer(int status, String body) {
            this(status, body, Map.of());
        }

        public static Answer ok(String body) {
            return new Answer(200, body);
        }
    }

    /** Computes the answer to a request (may block, e.g. to simulate a hanging endpoint). */
    public interface Responder {
        Answer respond(Request request) throws Exception;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "http-receiver");
        t.setDaemon(true);
        return t;
    });
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Responder> responders = new ConcurrentHashMap<>();

    private HttpReceiver(HttpServer server) {
        this.server = server;
    }

    public static HttpReceiver start() {
        return start(InetAddress.getLoopbackAddress());
    }

    /** On another local address (e.g. 127.0.0.2: the whole 127/8 is loopback), which the tests do not allow-list. */
    public static HttpReceiver start(InetAddress address) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(address, 0), 100);
            HttpReceiver receiver = new HttpReceiver(server);
            server.createContext("/", receiver::handle);
            server.setExecutor(receiver.executor);
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String baseUrl() {
        InetAddress address = server.getAddress().getAddress();
        String host = address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
        return "http://" + host + ":" + server.getAddress().getPort();
    }

    /** Every request received so far. */
    public List<Request> all() {
        return List.copyOf(requests);
    }

    public String url(String path) {
        return baseUrl() + path;
    }

    public void on(String pathPrefix, Responder responder) {
        responders.put(pathPrefix, responder);
    }

    /** Requests whose path starts with {@code pathPrefix}, in arrival order. */
    public List<Request> requests(String pathPrefix) {
        List<Request> out = new ArrayList<>();
        for (Request r : requests) {
            if (r.path().startsWith(pathPrefix)) {
                out.add(r);
            }
        }
        return out;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> headers = new ConcurrentHashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestURI().getRawQuery(), headers, exchange.getRequestBody().readAllBytes());
            requests.add(request);
            Answer answer;
            try {
                answer = responderFor(request.path()).respond(request);
            } catch (Exception e) {
                answer = new Answer(500, "responder failed: " + e);
            }
            byte[] body = answer.body() == null ? new byte[0] : answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", answer.body() != null && answer.body().startsWith("{")
                    ? "application/json" : "text/plain");
            answer.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                exchange.getResponseBody().write(body);
            }
        }
    }

    private Responder responderFor(String path) {
        String best = null;
        for (String prefix : responders.keySet()) {
            if (path.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        return best == null ? r -> Answer.ok("") : responders.get(best);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

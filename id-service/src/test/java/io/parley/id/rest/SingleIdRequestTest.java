package io.parley.id.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.common.id.Id34;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What keeps a single-id request ({@code GET /api/v1/ids?count=1}) well under a millisecond, as behaviour rather
 * than timing: the answer is produced on the event loop (no hop to a worker thread), costs no Redis command per
 * id (numbers come from a leased block), and is one sized HTTP/1.1 answer on a connection that stays open — so a
 * keep-alive caller pays one request write and one answer read, and nothing can wait on Nagle or a new
 * connection. A server change that breaks any of these fails here.
 */
@QuarkusTest
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = false)
class SingleIdRequestTest {

    private static final Pattern ID = Pattern.compile("^\\{\"ids\":\\[\"(\\d{34})\"\\]}$");
    private static final int REQUESTS = 1_000;

    @TestHTTPResource
    URL base;

    @Inject
    RedisDataSource redis;

    @AfterEach
    void stopRecording() {
        IssuingThreadRecorder.recording = false;
        IssuingThreadRecorder.ANSWERS.clear();
    }

    @Test
    void shouldAnswerSingleIdsOnTheEventLoop() throws IOException {
        try (RawConnection connection = new RawConnection(base)) {
            connection.get("/api/v1/ids?count=1&user=5"); // a block at hand before recording
            IssuingThreadRecorder.ANSWERS.clear();
            IssuingThreadRecorder.recording = true;
            for (int i = 0; i < 50; i++) {
                assertEquals(200, connection.get("/api/v1/ids?count=1&user=5").status());
            }
        }
        List<IssuingThreadRecorder.Answer> answers = new ArrayList<>(IssuingThreadRecorder.ANSWERS);
        assertEquals(50, answers.size());
        for (IssuingThreadRecorder.Answer answer : answers) {
            assertTrue(answer.eventLoop(), "answered on an event loop, not after a hop: " + answer.thread());
        }
    }

    @Test
    void shouldSendNoRedisCommandPerId() throws IOException {
        try (RawConnection connection = new RawConnection(base)) {
            connection.get("/api/v1/ids?count=1&user=5"); // a block at hand
            long before = commandsProcessed();
            for (int i = 0; i < REQUESTS; i++) {
                assertEquals(200, connection.get("/api/v1/ids?count=1&user=5").status());
            }
            long commands = commandsProcessed() - before;
            // The sequence comes from 10,000-number blocks (one INCRBY, prefetched); what else Redis sees meanwhile
            // is the worker-lease renewal (once a second in tests) and these INFO calls. One command per id would
            // be at least 1,000.
            assertTrue(commands < 100, REQUESTS + " single ids cost " + commands + " Redis commands");
        }
    }

    @Test
    void shouldAnswerEverySingleIdOnOneKeptAliveConnectionWithASizedBody() throws IOException {
        try (RawConnection connection = new RawConnection(base)) {
            String previous = "";
            for (int i = 0; i < REQUESTS; i++) {
                RawConnection.Answer answer = connection.get("/api/v1/ids?count=1&user=77");
                assertEquals(200, answer.status());
                assertFalse(answer.headers().containsKey("transfer-encoding"),
                        "a single id is one sized body, not chunks: " + answer.headers());
                assertEquals(String.valueOf(answer.body().getBytes(StandardCharsets.UTF_8).length),
                        answer.headers().get("content-length"));
                assertFalse("close".equalsIgnoreCase(answer.headers().get("connection")),
                        "the connection is kept alive: " + answer.headers());
                assertTrue(answer.headers().getOrDefault("content-type", "").startsWith("application/json"));
                Matcher id = ID.matcher(answer.body());
                assertTrue(id.matches(), "one id: " + answer.body());
                assertEquals(77, Id34.parse(id.group(1)).user());
                assertTrue(id.group(1).compareTo(previous) > 0, id.group(1) + " is above " + previous);
                previous = id.group(1);
            }
            assertEquals(1, connection.opened(), "every request went over the first connection");
        }
    }

    private long commandsProcessed() {
        String info = redis.execute("INFO", "stats").toString();
        Matcher total = Pattern.compile("total_commands_processed:(\\d+)").matcher(info);
        assertTrue(total.find(), "INFO stats has total_commands_processed");
        return Long.parseLong(total.group(1));
    }

    /**
     * A keep-alive HTTP/1.1 connection on a plain socket, so the test sees the server's answers as they are on the
     * wire (headers included) and knows whether the connection was kept.
     */
    static final class RawConnection implements AutoCloseable {

        record Answer(int status, Map<String, String> headers, String body) {
        }

        private final String host;
        private final int port;
        private Socket socket;
        private OutputStream out;
        private InputStream in;
        private int opened;

        RawConnection(URL base) {
            this.host = base.getHost();
            this.port = base.getPort();
        }

        int opened() {
            return opened;
        }

        Answer get(String path) throws IOException {
            if (socket == null) {
                socket = new Socket(host, port);
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(10_000);
                out = socket.getOutputStream();
                in = new BufferedInputStream(socket.getInputStream());
                opened++;
            }
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = line();
            assertTrue(status.startsWith("HTTP/1.1 "), "an HTTP/1.1 answer: " + status);
            Map<String, String> headers = new HashMap<>();
            for (String header = line(); !header.isEmpty(); header = line()) {
                int colon = header.indexOf(':');
                headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
            }
            String body;
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                ByteArrayOutputStream chunks = new ByteArrayOutputStream();
                for (int size = Integer.parseInt(line(), 16); size > 0; size = Integer.parseInt(line(), 16)) {
                    chunks.write(in.readNBytes(size));
                    line();
                }
                line(); // the empty line after the last chunk
                body = chunks.toString(StandardCharsets.UTF_8);
            } else {
                String length = headers.get("content-length");
                assertNotNull(length, "a sized or chunked answer: " + headers);
                body = new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.UTF_8);
            }
            if ("close".equalsIgnoreCase(headers.get("connection"))) {
                close();
            }
            return new Answer(Integer.parseInt(status.substring(9, 12)), headers, body);
        }

        private String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new EOFException("the server closed the connection");
                }
                if (c != '\r') {
                    line.write(c);
                }
            }
            return line.toString(StandardCharsets.US_ASCII);
        }

        @Override
        public void close() throws IOException {
            if (socket != null) {
                socket.close();
                socket = null;
            }
        }
    }
}

package io.parley.benchmark;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One blocking HTTP/1.1 keep-alive connection, used by one caller thread: a request is one write, its answer is
 * read on the same thread, so a request costs one wake-up on the client side.
 *
 * <p>Why not {@code java.net.http.HttpClient}: with a small request it dominates what it measures. Each
 * {@code send()} hops between the caller, the client's executor and its selector thread — measured against
 * id-service on loopback (2 cores, JDK 17): about 16 context switches and 1.3 ms of client CPU per request,
 * 1.8 ms mean for {@code count=1}, against one context switch, 0.08 ms of client CPU and 0.16 ms mean for this
 * connection (the server's own work is about 0.05 ms). Both sides already set TCP_NODELAY and reuse their
 * connections: the time was the client's threads, not Nagle or the server. Vert.x's client sits in between
 * (0.2-0.3 ms, one event loop for all callers).
 *
 * <p>Answers carry {@code Content-Length} or are chunked (id-service chunks bodies above its 8 KiB output buffer). A
 * {@code Connection: close} answer makes the next request open a new socket.
 */
final class KeepAliveHttpConnection implements Closeable {

    /** An answer: status code and body. */
    record Response(int status, String body) {
    }

    private final String host;
    private final int port;
    private final String hostHeader;
    private Socket socket;
    private OutputStream out;
    private InputStream in;
    private int opened;

    KeepAliveHttpConnection(URI base) {
        this.host = base.getHost();
        this.port = base.getPort() > 0 ? base.getPort() : 80;
        this.hostHeader = host + ":" + port;
    }

    /** Sockets opened so far (1 while the server keeps the connection alive). */
    int opened() {
        return opened;
    }

    Response get(String pathAndQuery) throws IOException {
        if (socket == null) {
            open();
        }
        byte[] request = ("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + hostHeader
                + "\r\nAccept: application/json\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        out.write(request);
        out.flush();
        return read();
    }

    private void open() throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true); // a request is one write anyway; no segment ever waits for an ACK
        s.connect(new InetSocketAddress(host, port), 5_000);
        s.setSoTimeout(30_000);
        socket = s;
        out = s.getOutputStream();
        in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
        opened++;
    }

    private Response read() throws IOException {
        String statusLine = line();
        if (!statusLine.startsWith("HTTP/1.1 ") || statusLine.length() < 12) {
            throw new IOException("not an HTTP/1.1 answer: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        int length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Integer.parseInt(value);
                case "transfer-encoding" -> chunked = value.equalsIgnoreCase("chunked");
                case "connection" -> close = value.equalsIgnoreCase("close");
                default -> { }
            }
        }
        String body;
        if (chunked) {
            body = chunkedBody();
        } else if (length >= 0) {
            body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
        } else {
            throw new IOException("answer with neither Content-Length nor chunked encoding");
        }
        if (close) {
            close();
        }
        return new Response(status, body);
    }

    private String chunkedBody() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int size = chunkSize(); size > 0; size = chunkSize()) {
            body.write(in.readNBytes(size));
            line(); // the CRLF after the chunk
        }
        for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
            // trailers: none expected, skipped
        }
        return body.toString(StandardCharsets.UTF_8);
    }

    private int chunkSize() throws IOException {
        String size = line();
        int extension = size.indexOf(';');
        return Integer.parseInt((extension < 0 ? size : size.substring(0, extension)).trim(), 16);
    }

    private final ByteArrayOutputStream lineBuffer = new ByteArrayOutputStream(128);

    private String line() throws IOException {
        lineBuffer.reset();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("connection closed in the middle of an answer");
            }
            if (c != '\r') {
                lineBuffer.write(c);
            }
        }
        return lineBuffer.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }
}

package io.parley.common.redis;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A bare Redis connection speaking the wire protocol (RESP) over a blocking socket: for tools and tests that talk
 * to a Redis before (or without) a Redis client — starting a test server, a benchmark's pipelined writes. Not for
 * services, which use the Quarkus Redis client. Commands are buffered until {@link #flush()}; replies are read
 * line by line ({@link #readLine()}), a bulk body by its length ({@link #readBytes}).
 */
public final class RespConnection implements Closeable {

    private static final int BUFFER = 1 << 16;

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    private RespConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.out = new BufferedOutputStream(socket.getOutputStream(), BUFFER);
        this.in = new BufferedInputStream(socket.getInputStream(), BUFFER);
    }

    /** Connects within {@code timeout}; a read waits at most {@code timeout} too (zero: no read timeout). */
    public static RespConnection open(String host, int port, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            return new RespConnection(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Buffers one command as a RESP array of bulk strings: its arguments may hold any text (JSON, spaces). */
    public RespConnection send(String... args) throws IOException {
        out.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.UTF_8));
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            out.write(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.write(bytes);
            out.write('\r');
            out.write('\n');
        }
        return this;
    }

    /** Buffers one inline command ({@code PING}, {@code INFO replication}): words separated by spaces. */
    public RespConnection sendInline(String command) throws IOException {
        out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Sends what is buffered. */
    public void flush() throws IOException {
        out.flush();
    }

    /**
     * The next reply line without its CR LF: a type marker and its value ({@code +OK}, {@code :1}, {@code $5},
     * {@code *2}, {@code -ERR …}) or a line of a bulk body. Empty at the end of the stream.
     */
    public String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /** A bulk body of {@code length} bytes (from its {@code $<length>} line), as UTF-8 text. */
    public String readBytes(int length) throws IOException {
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

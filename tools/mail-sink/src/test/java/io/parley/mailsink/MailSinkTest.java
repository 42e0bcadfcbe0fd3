package io.parley.mailsink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The sink takes mail over plain SMTP, as notify-service sends it, for an address nobody created, and serves it over
 * IMAP to any password: the two things {@code ./parley up}'s README tour relies on. Spoken over raw sockets so the test
 * checks the protocols, not a client library's view of them.
 */
class MailSinkTest {

    @Test
    void shouldAcceptMailForAnyAddressAndServeItOverImap() throws Exception {
        int smtp = freePort();
        int imap = freePort();
        try (MailSink sink = new MailSink("127.0.0.1", smtp, imap).start()) {
            try (Conversation c = new Conversation(smtp)) {
                c.expect("220");
                c.say("EHLO test").expectLast("250 ");
                c.say("MAIL FROM:<parley@localhost>").expect("250");
                c.say("RCPT TO:<bob@example.com>").expect("250");
                c.say("DATA").expect("354");
                c.say("Subject: hello\r\n\r\nyou have a message\r\n.").expect("250");
                c.say("QUIT");
            }
            assertEquals(1, sink.greenMail().getReceivedMessages().length);
            try (Conversation c = new Conversation(imap)) {
                c.expect("* OK");
                c.say("a1 LOGIN bob@example.com any-password").expectLast("a1 OK");
                c.say("a2 SELECT INBOX").expectLast("a2 OK");
                String body = c.say("a3 FETCH 1 BODY[TEXT]").expectLast("a3 OK");
                assertTrue(body.contains("you have a message"), body);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A line protocol over a socket: say a line, expect the answer. */
    private static final class Conversation implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        Conversation(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            out = socket.getOutputStream();
        }

        Conversation say(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return this;
        }

        /** Reads one line; it must start with {@code prefix}. */
        String expect(String prefix) throws IOException {
            String line = in.readLine();
            assertTrue(line != null && line.startsWith(prefix), "expected " + prefix + ", got " + line);
            return line;
        }

        /** Reads lines until one starts with {@code prefix}; returns everything read. */
        String expectLast(String prefix) throws IOException {
            StringBuilder all = new StringBuilder();
            for (String line; (line = in.readLine()) != null; ) {
                all.append(line).append('\n');
                if (line.startsWith(prefix)) {
                    return all.toString();
                }
            }
            throw new AssertionError("expected " + prefix + ", got " + all);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}

package io.parley.mailsink;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.util.concurrent.CountDownLatch;

/**
 * The local mail sink of {@code ./parley up}: a real SMTP server (GreenMail, in memory) that accepts mail for any
 * address, and an IMAP server to read it back. Every recipient gets a mailbox on first delivery; authentication is
 * off, so any password opens any mailbox ({@code curl imap://127.0.0.1:3143/INBOX -u bob@example.com:x}, or
 * {@code ./parley mail bob@example.com}). For a laptop only: it keeps nothing and checks nobody.
 *
 * <p>Ports and address from the environment: {@code PARLEY_SMTP_PORT} (2525, notify-service's default),
 * {@code PARLEY_IMAP_PORT} (3143), {@code PARLEY_MAIL_BIND} (127.0.0.1).
 */
public final class MailSink implements AutoCloseable {

    private final GreenMail greenMail;

    public MailSink(String bind, int smtpPort, int imapPort) {
        greenMail = new GreenMail(new ServerSetup[] {
                new ServerSetup(smtpPort, bind, ServerSetup.PROTOCOL_SMTP),
                new ServerSetup(imapPort, bind, ServerSetup.PROTOCOL_IMAP)});
        greenMail.withConfiguration(GreenMailConfiguration.aConfig().withDisabledAuthentication());
    }

    public MailSink start() {
        greenMail.start();
        return this;
    }

    public GreenMail greenMail() {
        return greenMail;
    }

    @Override
    public void close() {
        greenMail.stop();
    }

    public static void main(String[] args) throws InterruptedException {
        String bind = System.getenv().getOrDefault("PARLEY_MAIL_BIND", "127.0.0.1");
        int smtp = Integer.parseInt(System.getenv().getOrDefault("PARLEY_SMTP_PORT", "2525"));
        int imap = Integer.parseInt(System.getenv().getOrDefault("PARLEY_IMAP_PORT", "3143"));
        MailSink sink = new MailSink(bind, smtp, imap).start();
        Runtime.getRuntime().addShutdownHook(new Thread(sink::close, "mail-sink-stop"));
        System.out.printf("mail sink: SMTP %s:%d, IMAP %s:%d (any user, any password)%n", bind, smtp, bind, imap);
        new CountDownLatch(1).await(); // until SIGTERM
    }
}

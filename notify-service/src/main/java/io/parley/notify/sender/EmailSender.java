package io.parley.notify.sender;

import io.parley.notify.config.NotifyConfig;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/** Sends plain-text mail over SMTP with the reactive mailer (never blocks a thread while the SMTP dialogue runs). */
@ApplicationScoped
public class EmailSender {

    /** Carries the delivery's idempotency key, so a mail client or filter can spot a repeat after a crash. */
    public static final String DELIVERY_HEADER = "X-Parley-Delivery";

    private final ReactiveMailer mailer;
    private final Duration timeout;

    public EmailSender(ReactiveMailer mailer, NotifyConfig config) {
        this.mailer = mailer;
        this.timeout = config.delivery().mailTimeout();
    }

    public Uni<Void> send(String to, String subject, String text, String deliveryKey) {
        Mail mail = Mail.withText(to, subject, text);
        if (deliveryKey != null) {
            mail.addHeader(DELIVERY_HEADER, deliveryKey);
        }
        return mailer.send(mail).ifNoItem().after(timeout)
                .failWith(() -> new SendFailure("no answer from the SMTP server within " + timeout.toSeconds() + " s"));
    }
}

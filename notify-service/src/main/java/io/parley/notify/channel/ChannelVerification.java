package io.parley.notify.channel;

import io.parley.common.crypto.Secrets;
import io.parley.notify.config.NotifyConfig;
import io.parley.notify.sender.EmailSender;
import io.parley.notify.sender.SendFailure;
import io.parley.notify.sender.WebhookSender;
import io.parley.notify.sender.WechatAdapter;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Sends what proves a channel is the user's: a six-digit code by mail or template message, or a signed challenge
 * to a webhook. Runs after the channel is stored, without holding the request: a webhook that echoes the
 * challenge ({@code {"challenge":"…"}} or the bare text) with a 2xx is verified at once; otherwise its owner
 * verifies with the challenge as the code. A failed send is logged; the owner deletes and binds again.
 */
@ApplicationScoped
public class ChannelVerification {

    private static final Logger LOG = Logger.getLogger(ChannelVerification.class);

    private final EmailSender email;
    private final WebhookSender webhooks;
    private final WechatAdapter wechat;
    private final ChannelRepository channels;
    private final NotifyConfig config;

    public ChannelVerification(EmailSender email, WebhookSender webhooks, WechatAdapter wechat,
                               ChannelRepository channels, NotifyConfig config) {
        this.email = email;
        this.webhooks = webhooks;
        this.wechat = wechat;
        this.channels = channels;
        this.config = config;
    }

    /** Starts sending {@code code} (already stored as a hash on {@code channel}); returns at once. */
    public void start(Channel channel, String code) {
        long minutes = Math.max(1, config.channels().codeTtl().toMinutes());
        switch (channel.type()) {
            case EMAIL -> email.send(channel.address(), "Your Parley verification code",
                            "Your Parley verification code is " + code + ".\n\nIt expires in " + minutes
                                    + " minutes. If you did not ask for it, ignore this mail.\n", null)
                    .onFailure().retry().atMost(2) // a stalled or refused SMTP dialogue: the same code, sent again
                    .subscribe().with(ok -> LOG.debugf("verification code mailed for channel %s", channel.id()),
                            e -> LOG.warnf("verification mail for channel %s failed: %s", channel.id(),
                                    SendFailure.describe(e)));
            case WECHAT -> wechat.send(channel.address(), "Parley verification code",
                            "Your code is " + code + "; it expires in " + minutes + " minutes.")
                    .onFailure().retry().atMost(2)
                    .subscribe().with(ok -> LOG.debugf("verification code sent for channel %s", channel.id()),
                            e -> LOG.warnf("verification message for channel %s failed: %s", channel.id(),
                                    SendFailure.describe(e)));
            case WEBHOOK -> challenge(channel, code);
        }
    }

    private void challenge(Channel channel, String challenge) {
        String body = new JsonObject().put("type", "challenge").put("challenge", challenge)
                .put("channel", channel.id()).encode();
        webhooks.send(channel.address(), channel.secret(), "challenge", null, body)
                .emitOn(Infrastructure.getDefaultWorkerPool()) // the verification below is a JDBC update
                .subscribe().with(answer -> {
                    if (echoes(answer, challenge) && channels.markVerified(channel.id(), Secrets.sha256Hex(challenge))) {
                        LOG.infof("webhook channel %s verified by echo", channel.id());
                    }
                }, e -> LOG.infof("webhook challenge for channel %s not answered (%s); the owner can verify with the code",
                        channel.id(), SendFailure.describe(e)));
    }

    static boolean echoes(String answer, String challenge) {
        String text = answer == null ? "" : answer.trim();
        if (text.startsWith("{")) {
            try {
                return Secrets.constantTimeEquals(new JsonObject(text).getString("challenge"), challenge);
            } catch (RuntimeException e) {
                return false;
            }
        }
        return Secrets.constantTimeEquals(text, challenge);
    }
}

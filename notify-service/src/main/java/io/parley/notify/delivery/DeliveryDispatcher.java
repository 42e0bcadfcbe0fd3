package io.parley.notify.delivery;

import io.parley.common.thread.BackgroundLoop;
import io.parley.notify.channel.Channel;
import io.parley.notify.channel.ChannelRepository;
import io.parley.notify.config.NotifyConfig;
import io.parley.notify.sender.AppTokens;
import io.parley.notify.sender.ChatServiceClient;
import io.parley.notify.push.PushDevice;
import io.parley.notify.push.PushDeviceRepository;
import io.parley.notify.push.PushProvider;
import io.parley.notify.sender.EmailSender;
import io.parley.notify.sender.PushMessage;
import io.parley.notify.sender.PushSender;
import io.parley.notify.sender.PushTargetGone;
import io.parley.notify.sender.SendFailure;
import io.parley.notify.sender.WebhookSender;
import io.parley.notify.sender.WechatAdapter;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jboss.logging.Logger;

/**
 * Sends due deliveries. One loop per instance, on its own platform thread, polls MySQL for rows that are
 * {@code pending} or {@code retrying} and due ({@code next_attempt_at}), claims each with a conditional update (so
 * instances never send the same row at once), and starts the send without waiting for it: sends are
 * non-blocking (Vert.x web client, reactive mailer) with timeouts, at most {@code maxInFlight} at once and at most
 * {@code perEndpointConcurrency} per endpoint — a row whose endpoint is busy is moved back a little and others go
 * first, so a slow endpoint never holds up the rest. The outcome is written on a worker thread: {@code delivered};
 * or {@code retrying} after a back-off ({@link RetryPolicy}); or {@code dead} once attempts run out.
 *
 * <p>Rows left {@code sending} by an instance that died mid-send are made due again after {@code sendingTimeout};
 * such a repeat carries the same {@code X-Parley-Delivery} key, so the receiver can drop it (at-least-once with an
 * idempotency key: a crash between the receiver's 2xx and our commit is the only window for a repeat).
 *
 * <p>On shutdown the loop stops claiming and in-flight sends get up to {@code drainTimeout} to finish.
 */
@ApplicationScoped
public class DeliveryDispatcher {

    private static final Logger LOG = Logger.getLogger(DeliveryDispatcher.class);
    private static final long BUSY_DEFER_MS = 500;
    private static final int MAX_ROWS_PER_ROUND = 200;
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final DeliveryRepository deliveries;
    private final ChannelRepository channels;
    private final EmailSender email;
    private final WebhookSender webhooks;
    private final WechatAdapter wechat;
    private final ChatServiceClient chat;
    private final AppTokens appTokens;
    private final PushDeviceRepository pushDevices;
    private final PushSender push;
    private final RetryPolicy retries;
    private final EndpointLimiter limiter;
    private final DeliveryMetrics metrics;
    private final NotifyConfig.Delivery config;
    private final Duration sendLimit;
    private final AtomicInteger inFlight = new AtomicInteger();

    private final BackgroundLoop loop;
    private long nextReclaimAt;

    public DeliveryDispatcher(DeliveryRepository deliveries, ChannelRepository channels, EmailSender email,
                              WebhookSender webhooks, WechatAdapter wechat, ChatServiceClient chat, AppTokens appTokens,
                              PushDeviceRepository pushDevices, PushSender push, RetryPolicy retries, EndpointLimiter limiter, DeliveryMetrics metrics, NotifyConfig config) {
        this.deliveries = deliveries;
        this.channels = channels;
        this.email = email;
        this.webhooks = webhooks;
        this.wechat = wechat;
        this.chat = chat;
        this.appTokens = appTokens;
        this.pushDevices = pushDevices;
        this.push = push;
        this.retries = retries;
        this.limiter = limiter;
        this.metrics = metrics;
        this.config = config.delivery();
        // a backstop above the HTTP timeouts, for a send that would otherwise never complete (e.g. a stalled SMTP dialogue)
        this.sendLimit = this.config.connectTimeout().plus(this.config.readTimeout()).plusSeconds(30);
        this.loop = new BackgroundLoop("notify-dispatcher", "delivery", LOG, this::round)
                .idle(this.config.pollInterval()).describedBy(SendFailure::describe);
    }

    void onStart(@Observes StartupEvent event) {
        loop.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        loop.stop(STOP_TIMEOUT);
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        if (inFlight.get() > 0) {
            LOG.warnf("%d sends still in flight at shutdown; they are sent again (same key) after the sending timeout",
                    inFlight.get());
        }
    }

    /** Wakes the loop: new rows are due now. */
    public void kick() {
        loop.wake();
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** One round: reclaims stuck rows now and then, starts due sends; returns whether a full page was started. */
    private boolean round() {
        if (System.nanoTime() - nextReclaimAt >= 0) {
            int reclaimed = deliveries.reclaimStuck(config.sendingTimeout().toMillis());
            if (reclaimed > 0) {
                LOG.infof("%d deliveries were left sending by a stopped instance; they are due again", reclaimed);
            }
            long every = Math.min(5000, Math.max(100, config.sendingTimeout().toMillis() / 2));
            nextReclaimAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(every);
        }
        int capacity = config.maxInFlight() - inFlight.get();
        if (capacity <= 0) {
            return false;
        }
        int limit = Math.min(capacity, MAX_ROWS_PER_ROUND);
        List<Delivery> due = deliveries.due(limit);
        int started = dispatch(due);
        return due.size() == limit && started > 0;
    }

    /** Starts the sends of due rows; returns how many started. */
    private int dispatch(List<Delivery> due) {
        int started = 0;
        List<Long> busy = new ArrayList<>();
        Map<String, List<Delivery>> inapp = new LinkedHashMap<>();
        for (Delivery d : due) {
            if (!loop.running()) {
                break;
            }
            if (Delivery.INAPP.equals(d.channelType())) {
                inapp.computeIfAbsent(d.notificationId(), n -> new ArrayList<>()).add(d);
                continue;
            }
            if (Delivery.PUSH.equals(d.channelType())) {
                started += dispatchPush(d, busy);
                continue;
            }
            Channel channel = channels.find(d.channelId()).orElse(null);
            if (channel == null || !channel.verified()) {
                if (deliveries.claim(d.id())) {
                    finish(claimed(d), new SendFailure("the channel was removed"), true);
                }
                continue;
            }
            String endpoint = endpointOf(channel);
            if (!limiter.tryAcquire(endpoint)) {
                busy.add(d.id());
                continue;
            }
            if (!deliveries.claim(d.id())) {
                limiter.release(endpoint);
                continue;
            }
            started++;
            Delivery claimed = claimed(d);
            inFlight.incrementAndGet();
            send(claimed, channel)
                    .ifNoItem().after(sendLimit).failWith(() -> new SendFailure("no answer within " + sendLimit.toSeconds() + " s"))
                    .emitOn(Infrastructure.getDefaultWorkerPool())
                    .subscribe().with(ok -> done(claimed, null, endpoint), e -> done(claimed, e, endpoint));
        }
        for (List<Delivery> group : inapp.values()) {
            started += dispatchInApp(group, busy);
        }
        deliveries.defer(busy, BUSY_DEFER_MS);
        return started;
    }

    /**
     * One push to one registered device. The provider's "this token is gone" removes the registration (unless it was
     * registered again meanwhile) and the delivery is dead; a provider's {@code Retry-After} delays the retry.
     */
    private int dispatchPush(Delivery d, List<Long> busy) {
        PushDevice device = pushDevices.find(d.channelId()).orElse(null);
        if (device == null) {
            if (deliveries.claim(d.id())) {
                finish(claimed(d), new SendFailure("the device was unregistered"), true);
            }
            return 0;
        }
        String endpoint = pushEndpoint(device);
        if (!limiter.tryAcquire(endpoint)) {
            busy.add(d.id());
            return 0;
        }
        if (!deliveries.claim(d.id())) {
            limiter.release(endpoint);
            return 0;
        }
        Delivery claimed = claimed(d);
        inFlight.incrementAndGet();
        push.send(device.provider().wire(), device.token(), device.p256dh(), device.auth(),
                        PushMessage.fromJson(new JsonObject(d.payload())))
                .ifNoItem().after(sendLimit).failWith(() -> new SendFailure("no answer within " + sendLimit.toSeconds() + " s"))
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .subscribe().with(ok -> done(claimed, null, endpoint), e -> {
                    if (e instanceof PushTargetGone && pushDevices.deleteIfToken(device)) {
                        LOG.infof("push device %s of user %d removed: %s", device.deviceId(), device.userId(), e.getMessage());
                    }
                    done(claimed, e, endpoint);
                });
        return 1;
    }

    /** The provider (FCM and APNs are one endpoint each), or a Web Push service's host:port. */
    private static String pushEndpoint(PushDevice device) {
        if (device.provider() != PushProvider.WEBPUSH) {
            return device.provider().wire();
        }
        URI uri = URI.create(device.token());
        return uri.getHost() + ":" + uri.getPort();
    }

    private int dispatchInApp(List<Delivery> group, List<Long> busy) {
        String endpoint = chat.endpoint();
        if (!limiter.tryAcquire(endpoint)) {
            group.forEach(d -> busy.add(d.id()));
            return 0;
        }
        List<Delivery> claimed = new ArrayList<>();
        for (Delivery d : group) {
            if (deliveries.claim(d.id())) {
                claimed.add(claimed(d));
            }
        }
        if (claimed.isEmpty()) {
            limiter.release(endpoint);
            return 0;
        }
        Delivery first = claimed.get(0);
        inFlight.incrementAndGet();
        Uni<Set<Long>> push = appTokens.of(first.appId())
                .map(token -> chat.push(first.appId(), token, new JsonObject(first.payload()),
                        claimed.stream().map(Delivery::userId).toList()))
                .orElseGet(() -> Uni.createFrom().failure(new SendFailure(
                        "no live app token to forward with; replay with a fresh app token")));
        push.ifNoItem().after(sendLimit).failWith(() -> new SendFailure("chat-service did not answer"))
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .subscribe().with(accepted -> {
                    try {
                        for (Delivery d : claimed) {
                            if (accepted.contains(d.userId())) {
                                finish(d, null, false);
                            } else {
                                finish(d, new SendFailure("chat-service did not accept this user"), true);
                            }
                        }
                    } finally {
                        release(endpoint);
                    }
                }, e -> {
                    try {
                        claimed.forEach(d -> finish(d, e, false));
                    } finally {
                        release(endpoint);
                    }
                });
        return claimed.size();
    }

    private Uni<Void> send(Delivery d, Channel channel) {
        return switch (channel.type()) {
            case WEBHOOK -> webhooks.send(channel.address(), channel.secret(), DeliveryContent.of(d.payload()).event(),
                    d.idemKey(), d.payload()).replaceWithVoid();
            case EMAIL -> {
                DeliveryContent content = DeliveryContent.of(d.payload());
                yield email.send(channel.address(), content.title(), content.text(), d.idemKey());
            }
            case WECHAT -> {
                DeliveryContent content = DeliveryContent.of(d.payload());
                yield wechat.send(channel.address(), content.title(), content.text());
            }
        };
    }

    private void done(Delivery d, Throwable failure, String endpoint) {
        try {
            finish(d, failure, false);
        } finally {
            release(endpoint);
        }
    }

    private void release(String endpoint) {
        limiter.release(endpoint);
        inFlight.decrementAndGet();
        kick(); // a slot is free: rows deferred for it may go now
    }

    /** Records the outcome of a claimed row: delivered, a retry after back-off, or a dead letter. */
    private void finish(Delivery d, Throwable failure, boolean permanent) {
        try {
            if (failure == null) {
                deliveries.markDelivered(d.id());
                metrics.sent(d);
                return;
            }
            String error = SendFailure.describe(failure);
            metrics.failed(d);
            if (permanent || SendFailure.isPermanent(failure) || retries.exhausted(d.attempts())) {
                deliveries.markDead(d.id(), error);
                metrics.dead(d);
                LOG.warnf("delivery %d (%s to user %d) is dead after %d attempts: %s", d.id(), d.channelType(),
                        d.userId(), d.attempts(), error);
            } else {
                // a receiver's Retry-After is a floor under the back-off
                long delay = Math.max(retries.delayAfter(d.attempts()), SendFailure.retryAfterMillis(failure));
                deliveries.markRetry(d.id(), error, delay);
                LOG.debugf("delivery %d attempt %d failed (%s); next in %d ms", d.id(), d.attempts(), error, delay);
            }
        } catch (RuntimeException e) {
            // the row stays 'sending' and is reclaimed after the sending timeout
            LOG.warnf("could not record the outcome of delivery %d: %s", d.id(), SendFailure.describe(e));
        }
    }

    private static Delivery claimed(Delivery d) {
        return new Delivery(d.id(), d.idemKey(), d.kind(), d.notificationId(), d.appId(), d.userId(), d.channelType(),
                d.channelId(), Delivery.SENDING, d.attempts() + 1, d.lastError(), d.payload(), d.updatedAt());
    }

    private static String endpointOf(Channel channel) {
        return switch (channel.type()) {
            case EMAIL -> "smtp";
            case WECHAT -> "wechat";
            case WEBHOOK -> {
                URI uri = URI.create(channel.address());
                yield uri.getHost() + ":" + uri.getPort();
            }
        };
    }
}

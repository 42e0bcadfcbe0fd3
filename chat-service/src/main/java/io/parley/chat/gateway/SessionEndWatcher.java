package io.parley.chat.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.parley.chat.delivery.ClientSession;
import io.parley.chat.delivery.LocalConnections;
import io.parley.chat.delivery.Outbound;
import io.parley.chat.fanout.ChannelReceiver;
import io.parley.chat.fanout.FanoutBroker;
import io.parley.chat.notify.NotifyConnections;
import io.parley.chat.protocol.CloseCodes;
import io.parley.chat.protocol.ServerFrames;
import io.parley.common.error.ErrorCode;
import io.parley.common.security.SessionRevocationCache;
import io.parley.common.token.AccessTokenVerifier;
import io.parley.common.token.SessionKeys;
import io.parley.common.token.TokenClaims;
import io.parley.common.token.TokenRejectedException;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Closes, with {@value CloseCodes#SESSION_ENDED}, every open {@code /ws/chat} and {@code /ws/notify} connection whose
 * session ended or whose access token expired.
 *
 * <ul>
 *   <li><b>Ended sessions are pushed.</b> auth-service deletes a session and publishes it on
 *   {@link SessionKeys#ENDED_CHANNEL} in one atomic step (logout, refresh-token reuse). This node subscribes to that
 *   channel on its fan-out connection (a {@link ChannelReceiver}), and closes the matching local connections as the message
 *   arrives — within milliseconds, on every node, without a Redis call per connection. Pub/sub is at most once:
 *   whenever the subscription is (re)established, the sessions of every local connection are checked against Redis
 *   (one pipelined {@code EXISTS} per distinct session) and those gone are closed, so a message missed while the
 *   subscription was down costs at most the time to reconnect.</li>
 *   <li><b>Expiry is local.</b> A connection lives as long as its access token — the one from the upgrade, or a
 *   fresher one the client presented since with a {@code token} frame (same user, same session, live).
 *   {@code refresh-ahead} before that the client is sent {@code {"type":"expiring","exp"}}; at {@code exp} the
 *   connection is closed. Every {@code sweep-interval} a timer takes the connections that are due from a deadline
 *   queue ({@link ExpiryDeadlines}, fed by {@link #watch} at the upgrade): an idle node does nothing for the
 *   connections whose tokens are far from expiry.</li>
 * </ul>
 * The revocation check at upgrade ({@code TokenUpgradeCheck}) stays as it is.
 */
@ApplicationScoped
public class SessionEndWatcher implements ChannelReceiver {

    private static final Logger LOG = Logger.getLogger(SessionEndWatcher.class);

    private final FanoutBroker broker;
    private final ReactiveRedisDataSource data;
    private final Vertx vertx;
    private final LocalConnections chats;
    private final NotifyConnections notifies;
    private final Outbound outbound;
    private final ServerFrames frames;
    private final AccessTokenVerifier verifier;
    private final SessionRevocationCache revocations;
    private final long refreshAheadSeconds;
    private final long sweepMillis;
    private final MeterRegistry metrics;
    /** Connection id → the expiry of the freshest token the client presented on it (epoch seconds). */
    private final Map<String, Long> renewedUntil = new ConcurrentHashMap<>();
    /** Connections already told their token is expiring (told once per token). */
    private final Map<String, Long> warnedFor = new ConcurrentHashMap<>();
    private final ExpiryDeadlines deadlines = new ExpiryDeadlines();
    private long sweepTimer = -1;

    public SessionEndWatcher(FanoutBroker broker, ReactiveRedisDataSource data, Vertx vertx, LocalConnections chats,
                             NotifyConnections notifies, Outbound outbound, ServerFrames frames,
                             AccessTokenVerifier verifier, SessionRevocationCache revocations, MeterRegistry metrics,
                             @ConfigProperty(name = "parley.chat.session.refresh-ahead", defaultValue = "30S") Duration refreshAhead,
                             @ConfigProperty(name = "parley.chat.session.sweep-interval", defaultValue = "250ms") Duration sweep) {
        this.broker = broker;
        this.data = data;
        this.vertx = vertx;
        this.chats = chats;
        this.notifies = notifies;
        this.outbound = outbound;
        this.frames = frames;
        this.verifier = verifier;
        this.revocations = revocations;
        this.metrics = metrics;
        this.refreshAheadSeconds = refreshAhead.toSeconds();
        this.sweepMillis = Math.max(50, sweep.toMillis());
    }

    void start(@Observes StartupEvent event) {
        broker.subscribe(SessionKeys.ENDED_CHANNEL);
        sweepTimer = vertx.setPeriodic(sweepMillis, id -> sweepExpiries());
    }

    void stop(@Observes ShutdownEvent event) {
        if (sweepTimer != -1) {
            vertx.cancelTimer(sweepTimer);
        }
    }

    @Override
    public boolean accepts(String channel) {
        return SessionKeys.ENDED_CHANNEL.equals(channel);
    }

    @Override
    public void onMessage(String channel, String payload) {
        onEnded(payload);
    }

    /** The fan-out connection came back: a session-ended message may have been missed meanwhile. */
    @Override
    public void onGap() {
        recheckAll();
    }

    // ---- a fresher token on an open connection -------------------------------------------------------------------

    /**
     * The client presents a fresh access token ({@code {"type":"token","token"}}): the connection then lives until
     * that token's expiry. It must be the same user's and the same session's (a refresh keeps the session), and the
     * session must be live. Answers {@code {"type":"token","exp"}}, or an error frame (the connection keeps its old
     * expiry).
     */
    public Uni<Void> renew(ClientSession session, String token) {
        TokenClaims claims;
        try {
            claims = verifier.verify(token);
        } catch (TokenRejectedException e) {
            outbound.write(session, frames.error(e.code(), e.getMessage(), null));
            return Uni.createFrom().voidItem();
        }
        TokenClaims current = session.claims();
        if (claims.isApp() || claims.userId() != current.userId() || !claims.sessionId().equals(current.sessionId())) {
            outbound.write(session, frames.error(ErrorCode.TOKEN_INVALID,
                    "the token must be of this connection's user and session; connect again for another", null));
            return Uni.createFrom().voidItem();
        }
        return revocations.isLive(claims.sessionId()).invoke(live -> {
            if (!live) {
                outbound.write(session, frames.error(ErrorCode.TOKEN_REVOKED, "the token's session was revoked", null));
                return;
            }
            renewedUntil.merge(session.id(), claims.expiresAt(), Math::max);
            session.renewAccessToken(token); // calls to auth-service on its behalf outlive the first token
            outbound.write(session, ServerFrames.tokenAccepted(expiryOf(session)));
        }).replaceWithVoid();
    }

    private long expiryOf(ClientSession session) {
        Long renewed = renewedUntil.get(session.id());
        long original = session.claims().expiresAt();
        return renewed == null ? original : Math.max(renewed, original);
    }

    // ---- token expiry -------------------------------------------------------------------------------------------

    /** A connection just opened (either endpoint): its token's expiry is watched from now on. */
    public void watch(ClientSession session) {
        if (session.claims() != null && session.claims().expiresAt() > 0) {
            deadlines.add(session.claims().expiresAt() - refreshAheadSeconds, session.id());
        }
    }

    /** The connections that are due: each is warned, closed, or put back at its next deadline. */
    private void sweepExpiries() {
        long now = System.currentTimeMillis() / 1000;
        for (ExpiryDeadlines.Due due; (due = deadlines.pollDue(now)) != null; ) {
            ClientSession session = chats.byConnectionId(due.connectionId());
            if (session == null) {
                session = notifies.byConnectionId(due.connectionId());
            }
            if (session == null || session.isClosing()) {
                forget(due.connectionId());
                continue;
            }
            long exp = expiryOf(session);
            if (now >= exp) {
                close(session, "the access token expired: sign in again, or send a fresh token before it expires");
                forget(session.id());
            } else if (now >= exp - refreshAheadSeconds) {
                if (!Long.valueOf(exp).equals(warnedFor.get(session.id()))) {
                    warnedFor.put(session.id(), exp);
                    outbound.write(session, ServerFrames.expiring(exp));
                }
                deadlines.add(exp, session.id());
            } else {
                deadlines.add(exp - refreshAheadSeconds, session.id()); // a fresher token moved it on
            }
        }
    }

    private void forget(String connectionId) {
        renewedUntil.remove(connectionId);
        warnedFor.remove(connectionId);
    }

    // ---- ended sessions -------------------------------------------------------------------------------------------

    private void onEnded(String message) {
        long user = SessionKeys.endedUser(message);
        String sid = SessionKeys.endedSession(message);
        if (user < 0 || sid == null) {
            LOG.debugf("ignoring a malformed session-ended message: %s", message);
            return;
        }
        revocations.invalidate(sid); // this node refuses the session's next upgrade at once, too
        for (Iterable<ClientSession> sessions : List.<Iterable<ClientSession>>of(chats.all(), notifies.all())) {
            for (ClientSession session : sessions) {
                if (session.userId() == user && sid.equals(session.claims().sessionId())) {
                    close(session, "the session ended: sign in again");
                }
            }
        }
    }

    /** After (re)subscribing: closes local connections whose session ended while no message could arrive. */
    private void recheckAll() {
        Map<String, List<ClientSession>> bySession = new ConcurrentHashMap<>();
        for (Iterable<ClientSession> sessions : List.<Iterable<ClientSession>>of(chats.all(), notifies.all())) {
            for (ClientSession session : sessions) {
                if (session.claims() != null && session.claims().sessionId() != null) {
                    bySession.computeIfAbsent(session.claims().sessionId(), s -> new ArrayList<>()).add(session);
                }
            }
        }
        bySession.forEach((sid, sessions) -> data.key().exists(SessionKeys.session(sid)).subscribe().with(live -> {
            if (!live) {
                revocations.invalidate(sid);
                sessions.forEach(s -> close(s, "the session ended: sign in again"));
            }
        }, e -> LOG.debugf("session %s not re-checked: %s", sid, e.getMessage())));
    }

    private void close(ClientSession session, String reason) {
        metrics.counter("parley.chat.sessions.ended.closed").increment();
        outbound.close(session, CloseCodes.SESSION_ENDED, reason);
    }
}

package io.parley.chat.gateway;

import io.netty.channel.Channel;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.delivery.Arrival;
import io.parley.chat.delivery.LocalConnections;
import io.parley.chat.service.GroupService;
import io.parley.common.security.BearerTokenAuthMechanism;
import io.parley.common.security.TokenAuthenticator;
import io.parley.common.token.TokenClaims;
import io.parley.common.token.TokenRejectedException;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.net.impl.ConnectionBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.List;
import java.util.Map;

/**
 * Authenticates every WebSocket upgrade before it happens: a user token from {@code Authorization: Bearer}
 * or (browsers) the {@code access_token} query parameter, verified locally and checked against revocation.
 * No, bad, expired or revoked token: the upgrade is refused with 401.
 */
@ApplicationScoped
public class TokenUpgradeCheck implements HttpUpgradeCheck {

    public static final UserData.TypedKey<TokenClaims> CLAIMS = new UserData.TypedKey<>("parley.claims");
    public static final UserData.TypedKey<String> TOKEN = UserData.TypedKey.forString("parley.token");
    /** The upgraded request's Netty channel: the socket the delivery path writes to directly (see Outbound). */
    public static final UserData.TypedKey<Channel> CHANNEL = new UserData.TypedKey<>("parley.channel");
    private static final Map<String, List<String>> CHALLENGE = Map.of("WWW-Authenticate", List.of("Bearer"));

    /** /ws/chat only: the node is subscribed for the user before the 101, and holds what arrives until onOpen. */
    public static final UserData.TypedKey<Arrival> ARRIVAL = new UserData.TypedKey<>("parley.arrival");
    /** websockets-next names an endpoint by its class unless told otherwise. */
    private static final String CHAT_ENDPOINT = ChatSocket.class.getName();

    private final TokenAuthenticator tokens;
    private final Instance<GatewayShutdown> drain;
    private final GroupService groups;
    private final LocalConnections connections;

    private final long arrivalTimeoutMs;

    public TokenUpgradeCheck(TokenAuthenticator tokens, Instance<GatewayShutdown> drain, GroupService groups,
                             LocalConnections connections, ChatConfig config) {
        this.arrivalTimeoutMs = config.limits().arrivalTimeout().toMillis();
        this.tokens = tokens;
        this.drain = drain;
        this.groups = groups;
        this.connections = connections;
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        if (drain.get().isDraining()) {
            return CheckResult.rejectUpgrade(503); // going away: the client retries and lands on a ready node
        }
        String token = BearerTokenAuthMechanism.extract(context.httpRequest());
        return tokens.authenticate(token)
                .flatMap(claims -> {
                    if (claims.isApp()) {
                        return CheckResult.rejectUpgrade(403); // app tokens push over REST; sockets are for people
                    }
                    context.userData().put(CLAIMS, claims);
                    context.userData().put(TOKEN, token);
                    Channel channel = context.httpRequest().connection() instanceof ConnectionBase socket ? socket.channel() : null;
                    if (channel != null) {
                        context.userData().put(CHANNEL, channel); // the same channel after the upgrade
                        OversizeFrames.guard(channel); // 4513 also for a frame over the decoder's cap
                    }
                    if (!CHAT_ENDPOINT.equals(context.endpointId())) {
                        return CheckResult.permitUpgrade();
                    }
                    return expectArrival(context, claims.userId(), channel);
                })
                .onFailure(TokenRejectedException.class).recoverWithUni(() -> CheckResult.rejectUpgrade(401, CHALLENGE));
    }

    /**
     * Live delivery starts with the upgrade: subscribe for the user and start holding its messages before the 101,
     * so nothing published between the 101 and the socket's registration is missed. Ended by ChatSocket.onOpen,
     * or, if the upgrade never completes, when the socket closes.
     */
    private Uni<CheckResult> expectArrival(HttpUpgradeContext context, long user, Channel channel) {
        Context requestContext = Vertx.currentContext();
        return groups.groupsOf(user)
                .flatMap(memberOf -> connections.expect(user, memberOf))
                .emitOn(task -> {
                    if (requestContext == null) {
                        task.run();
                    } else {
                        requestContext.runOnContext(v -> task.run()); // the handshake goes on on the request's loop
                    }
                })
                .map(arrival -> {
                    context.userData().put(ARRIVAL, arrival);
                    if (channel != null) {
                        channel.closeFuture().addListener(closed -> connections.abandon(arrival));
                    }
                    if (requestContext != null) { // a later check may refuse the upgrade on a kept-alive socket
                        requestContext.owner().setTimer(arrivalTimeoutMs, t -> connections.abandon(arrival));
                    }
                    return CheckResult.permitUpgradeSync();
                });
    }
}

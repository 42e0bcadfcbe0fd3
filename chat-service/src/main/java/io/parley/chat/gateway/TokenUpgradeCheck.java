package io.parley.chat.gateway;

import io.netty.channel.Channel;
import io.parley.common.security.BearerTokenAuthMechanism;
import io.parley.common.security.TokenAuthenticator;
import io.parley.common.token.TokenClaims;
import io.parley.common.token.TokenRejectedException;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.smallrye.mutiny.Uni;
import io.vertx.core.net.impl.ConnectionBase;
import jakarta.enterprise.context.ApplicationScoped;
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

    private final TokenAuthenticator tokens;
    private final jakarta.enterprise.inject.Instance<GatewayShutdown> drain;

    public TokenUpgradeCheck(TokenAuthenticator tokens, jakarta.enterprise.inject.Instance<GatewayShutdown> drain) {
        this.tokens = tokens;
        this.drain = drain;
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
                    if (context.httpRequest().connection() instanceof ConnectionBase socket) {
                        context.userData().put(CHANNEL, socket.channel()); // the same channel after the upgrade
                        OversizeFrames.guard(socket.channel()); // 4513 also for a frame over the decoder's cap
                    }
                    return CheckResult.permitUpgrade();
                })
                .onFailure(TokenRejectedException.class).recoverWithUni(() -> CheckResult.rejectUpgrade(401, CHALLENGE));
    }
}

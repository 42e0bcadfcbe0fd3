package io.parley.chat.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.chat.delivery.ClientSession;
import io.parley.chat.delivery.DeliveryTimers;
import io.parley.chat.delivery.NodeIdentity;
import io.parley.chat.delivery.Outbound;
import io.parley.chat.delivery.TokenBucket;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.notify.InAppNotifications;
import io.parley.chat.notify.NotifyConnections;
import io.parley.chat.protocol.CloseCodes;
import io.parley.chat.protocol.FrameTypes;
import io.parley.chat.protocol.ServerFrames;
import io.parley.common.error.ErrorCode;
import io.parley.common.token.TokenClaims;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.util.regex.Pattern;

/**
 * {@code /ws/notify}: in-app notifications. On connect the client gets what it has not acknowledged, then new ones
 * live; it acknowledges with {@code {"type":"ack","seq":"<seq>"}} (everything up to it). {@code ping} → {@code pong}.
 */
@WebSocket(path = "/ws/notify")
public class NotifySocket {

    private static final Pattern SEQ = Pattern.compile("\\d{1,20}-\\d{1,20}");

    private final NotifyConnections connections;
    private final InAppNotifications notifications;
    private final Outbound outbound;
    private final ServerFrames frames;
    private final NodeIdentity node;
    private final ObjectMapper json;
    private final ChatConfig.Limits limits;
    @Inject
    SessionEndWatcher sessionEnds;
    @Inject
    DeliveryTimers timers; // pings

    public NotifySocket(NotifyConnections connections, InAppNotifications notifications, Outbound outbound,
                        ServerFrames frames, NodeIdentity node, ObjectMapper json, ChatConfig config) {
        this.connections = connections;
        this.notifications = notifications;
        this.outbound = outbound;
        this.frames = frames;
        this.node = node;
        this.json = json;
        this.limits = config.limits();
    }

    @OnOpen
    public Uni<Void> onOpen(WebSocketConnection connection) {
        TokenClaims claims = connection.userData().get(TokenUpgradeCheck.CLAIMS);
        String token = connection.userData().get(TokenUpgradeCheck.TOKEN);
        ClientSession session = new ClientSession(connection, connection.userData().get(TokenUpgradeCheck.CHANNEL),
                claims, token, node.tag(connection.id()),
                new TokenBucket(limits.framesPerSecond(), limits.frameBurst()));
        // subscribed first, then the backlog: a notification posted in between arrives twice at worst (same seq)
        return connections.register(session)
                .invoke(() -> {
                    sessionEnds.watch(session); // registered first: the watcher finds it by id
                    timers.watchPings(session);
                })
                .flatMap(v -> notifications.pending(claims.userId()))
                .invoke(pending -> pending.forEach(frame -> outbound.write(session, frame)))
                .replaceWithVoid();
    }

    @OnTextMessage
    public Uni<Void> onText(String text, WebSocketConnection connection) {
        ClientSession session = connections.byConnectionId(connection.id());
        if (session == null || session.isClosing()) {
            return Uni.createFrom().voidItem();
        }
        if (!session.tryTakeInboundToken()) {
            outbound.close(session, CloseCodes.RATE_LIMITED, "too many frames; slow down and reconnect");
            return Uni.createFrom().voidItem();
        }
        JsonNode frame;
        try {
            frame = json.readTree(text);
        } catch (Exception e) {
            outbound.write(session, frames.error(ErrorCode.MALFORMED_JSON, "the frame is not valid JSON", null));
            return Uni.createFrom().voidItem();
        }
        String type = frame == null ? "" : frame.path("type").asText();
        if (FrameTypes.PING.equals(type)) {
            outbound.write(session, ServerFrames.PONG);
            return Uni.createFrom().voidItem();
        }
        if (FrameTypes.TOKEN.equals(type) && frame.path("token").isTextual()) { // a fresh access token (SessionEndWatcher)
            return sessionEnds.renew(session, frame.get("token").asText());
        }
        if (FrameTypes.ACK.equals(type)) {
            String seq = frame.path("seq").asText();
            if (!SEQ.matcher(seq).matches()) {
                outbound.write(session, frames.error(ErrorCode.INVALID_INPUT, "seq must be a notification's seq", null));
                return Uni.createFrom().voidItem();
            }
            return notifications.acknowledge(session.userId(), seq);
        }
        outbound.write(session, frames.error(ErrorCode.UNKNOWN_TYPE,
                "on /ws/notify a client sends only ack, token and ping", null));
        return Uni.createFrom().voidItem();
    }

    @OnClose
    void onClose(WebSocketConnection connection) {
        ClientSession session = connections.byConnectionId(connection.id());
        if (session != null) {
            connections.unregister(session);
        }
    }
}

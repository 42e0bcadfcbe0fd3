package io.parley.chat.gateway;

import io.parley.chat.config.ChatConfig;
import io.parley.chat.delivery.ClientSession;
import io.parley.chat.delivery.DeliveryTimers;
import io.parley.chat.delivery.LocalConnections;
import io.parley.chat.delivery.NodeIdentity;
import io.parley.chat.delivery.Outbound;
import io.parley.chat.delivery.TokenBucket;
import io.parley.chat.protocol.ClientFrame;
import io.parley.chat.protocol.FrameException;
import io.parley.chat.protocol.FrameParser;
import io.parley.chat.protocol.ServerFrames;
import io.parley.chat.service.AckService;
import io.parley.chat.service.SendService;
import io.parley.chat.service.SyncService;
import io.parley.common.error.ErrorCode;
import io.parley.common.token.TokenClaims;
import io.parley.chat.presence.PresenceService;
import io.parley.chat.protocol.BinaryFrames;
import io.parley.chat.service.ReadService;
import io.parley.chat.topics.TopicSubscriptions;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPongMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import org.jboss.logging.Logger;

/**
 * {@code /ws/chat}: decode a frame, hand it to its service, write the answer. Everything here runs on the
 * event loop and returns {@link Uni}; nothing blocks. Frames of one connection are handled in order.
 */
@WebSocket(path = "/ws/chat")
public class ChatSocket {

    private static final Logger LOG = Logger.getLogger(ChatSocket.class);
    /** A completed Uni, shared: frames answered synchronously (ack, ping, errors) allocate none. */
    private static final Uni<Void> DONE = Uni.createFrom().voidItem();

    private final LocalConnections connections;
    private final Outbound outbound;
    private final FrameParser parser;
    private final SendService sends;
    private final SyncService syncs;
    private final AckService acks;
    private final NodeIdentity node;
    private final ReadService reads;
    private final TopicSubscriptions topics;
    private final PresenceService presence;
    private final BinaryFrames binaryFrames;
    private final ChatConfig.Limits limits;
    @Inject
    SessionEndWatcher sessionEnds; // ended sessions and token expiry (4501)
    @Inject
    DeliveryTimers timers; // pings, idle closes, retransmission
    private final InboundFastPath fastPath;
    private final InboundAdmission admission;

    public ChatSocket(LocalConnections connections, Outbound outbound, FrameParser parser,
                      SendService sends, SyncService syncs, AckService acks, NodeIdentity node,
                      ReadService reads, TopicSubscriptions topics, PresenceService presence, BinaryFrames binaryFrames,
                      ChatConfig config, InboundFastPath fastPath,
                      InboundAdmission admission) {
        this.fastPath = fastPath;
        this.admission = admission;
        this.reads = reads;
        this.topics = topics;
        this.presence = presence;
        this.binaryFrames = binaryFrames;
        this.connections = connections;
        this.outbound = outbound;
        this.parser = parser;
        this.sends = sends;
        this.syncs = syncs;
        this.acks = acks;
        this.node = node;
        this.limits = config.limits();
    }

    @OnOpen
    public Uni<Void> onOpen(WebSocketConnection connection) {
        TokenClaims claims = connection.userData().get(TokenUpgradeCheck.CLAIMS);
        String token = connection.userData().get(TokenUpgradeCheck.TOKEN);
        boolean binary = BinaryFrames.SUBPROTOCOL.equals(connection.subprotocol());
        ClientSession session = new ClientSession(connection, connection.userData().get(TokenUpgradeCheck.CHANNEL),
                claims, token, node.tag(connection.id()),
                new TokenBucket(limits.framesPerSecond(), limits.frameBurst()), binary);
        // The node subscribed for the user before the 101 (TokenUpgradeCheck): registering writes first what
        // arrived since then. Frames are handled only after this completes, so a sync sent right after connecting
        // already finds the node subscribed to everything addressed to this user.
        return connections.register(session, connection.userData().get(TokenUpgradeCheck.ARRIVAL))
                .invoke(() -> {
                    sessionEnds.watch(session); // registered first: the watcher finds it by id
                    timers.watch(session);
                })
                .flatMap(v -> presence.enter(session))
                .invoke(() -> fastPath.install(session, connection.userData().get(TokenUpgradeCheck.CHANNEL)));
    }

    /** A frame in the binary encoding (subprotocol {@value BinaryFrames#SUBPROTOCOL}): decoded, then as text. */
    @OnBinaryMessage
    public Uni<Void> onBinary(Buffer data, WebSocketConnection connection) {
        ClientSession session = admit(connection, data.length());
        if (session == null) {
            return DONE;
        }
        ClientFrame frame;
        try {
            frame = parser.parse(binaryFrames.decode(data));
        } catch (FrameException e) {
            return reject(session, e);
        }
        return handle(session, frame);
    }

    @OnTextMessage
    public Uni<Void> onText(String text, WebSocketConnection connection) {
        // characters * 3 bounds the UTF-8 size; count exactly only when that bound is over the limit
        long bytes = text.length() * 3L > limits.maxFrameBytes() ? text.getBytes(StandardCharsets.UTF_8).length : text.length();
        ClientSession session = admit(connection, bytes);
        if (session == null) {
            return DONE;
        }
        ClientFrame frame;
        try {
            frame = parser.parse(text);
        } catch (FrameException e) {
            return reject(session, e);
        }
        return handle(session, frame);
    }

    /** The session if the frame passes {@link InboundAdmission}, else {@code null} (dropped, maybe closed). */
    private ClientSession admit(WebSocketConnection connection, long frameBytes) {
        ClientSession session = connections.byConnectionId(connection.id());
        return admission.admit(session, frameBytes) ? session : null;
    }

    private Uni<Void> handle(ClientSession session, ClientFrame frame) {
        admission.counted(frame.getClass().getSimpleName().toLowerCase());
        String ref = frame instanceof ClientFrame.Send send ? send.clientMsgId()
                : frame instanceof ClientFrame.Change change ? change.clientMsgId() : null;
        Uni<Void> handled;
        try {
            handled = dispatch(session, frame);
        } catch (FrameException e) {
            return reject(session, e);
        }
        return handled.onFailure().recoverWithUni(failure -> {
            admission.failed(session, failure, ref);
            return DONE;
        });
    }

    private Uni<Void> dispatch(ClientSession session, ClientFrame frame) {
        if (frame instanceof ClientFrame.Send send) {
            return sends.send(session, send).invoke(sent -> outbound.write(session, sent)).replaceWithVoid();
        }
        if (frame instanceof ClientFrame.Ack ack) {
            if (!acks.ack(session, ack.conversation(), ack.seq())) { // not the caller's: FORBIDDEN like other frames
                throw new FrameException(ErrorCode.FORBIDDEN, "you are not in conversation " + ack.conversation().value(), null);
            }
            return DONE;
        }
        if (frame instanceof ClientFrame.Sync sync) {
            return syncs.sync(session, sync.cursors());
        }
        if (frame instanceof ClientFrame.Change change) {
            return sends.change(session, change).invoke(sent -> outbound.write(session, sent)).replaceWithVoid();
        }
        if (frame instanceof ClientFrame.Read read) {
            return reads.read(session, read);
        }
        if (frame instanceof ClientFrame.Typing typing) {
            return reads.typing(session, typing);
        }
        if (frame instanceof ClientFrame.Topics request) {
            if (request.subscribe()) {
                return topics.subscribe(session, request);
            }
            topics.unsubscribe(session, request);
            return DONE;
        }
        if (frame instanceof ClientFrame.Token token) { // a fresh access token: the connection outlives the old one
            return sessionEnds.renew(session, token.token());
        }
        outbound.write(session, ServerFrames.PONG);
        return DONE;
    }

    @OnPongMessage
    void onPong(Buffer data, WebSocketConnection connection) {
        ClientSession session = connections.byConnectionId(connection.id());
        if (session != null) {
            session.heard();
        }
    }

    @OnClose
    void onClose(WebSocketConnection connection) {
        ClientSession session = connections.byConnectionId(connection.id());
        if (session != null) {
            connections.unregister(session);
            topics.dropAll(session);
            presence.leave(session);
            acks.flush(session).subscribe().with(ok -> { }, e -> LOG.debugf("cursor flush on close failed: %s", e.getMessage()));
        }
    }

    private Uni<Void> reject(ClientSession session, FrameException e) {
        admission.reject(session, e);
        return DONE;
    }
}

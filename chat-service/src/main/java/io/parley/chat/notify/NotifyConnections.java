package io.parley.chat.notify;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.chat.delivery.ClientSession;
import io.parley.chat.delivery.Outbound;
import io.parley.chat.fanout.ChannelReceiver;
import io.parley.chat.fanout.FanoutBroker;
import io.parley.chat.protocol.CloseCodes;
import io.parley.chat.store.RedisKeys;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The node's {@code /ws/notify} connections by user; the node subscribes to a user's notify channel while it holds one. */
@Singleton
public class NotifyConnections implements ChannelReceiver {

    private final FanoutBroker broker;
    private final Outbound outbound;
    private final Map<String, ClientSession> byConnection = new ConcurrentHashMap<>();
    private final Map<Long, Set<ClientSession>> byUser = new ConcurrentHashMap<>();

    public NotifyConnections(FanoutBroker broker, Outbound outbound, MeterRegistry metrics) {
        this.broker = broker;
        this.outbound = outbound;
        Gauge.builder("parley.chat.notify.connections", byConnection, Map::size)
                .description("open /ws/notify connections on this node").register(metrics);
    }

    public synchronized Uni<Void> register(ClientSession session) {
        byConnection.put(session.id(), session);
        byUser.computeIfAbsent(session.userId(), u -> ConcurrentHashMap.newKeySet()).add(session);
        return broker.subscribe(RedisKeys.notifyChannel(session.userId()));
    }

    public synchronized void unregister(ClientSession session) {
        if (byConnection.remove(session.id()) == null) {
            return;
        }
        Set<ClientSession> mine = byUser.get(session.userId());
        if (mine != null) {
            mine.remove(session);
            if (mine.isEmpty()) {
                byUser.remove(session.userId());
                broker.unsubscribe(RedisKeys.notifyChannel(session.userId()));
            }
        }
    }

    public ClientSession byConnectionId(String id) {
        return byConnection.get(id);
    }

    public int size() {
        return byConnection.size();
    }

    public Collection<ClientSession> all() {
        return byConnection.values();
    }

    /** The users' notify channels. */
    @Override
    public boolean accepts(String channel) {
        return RedisKeys.isNotifyChannel(channel);
    }

    /** The payload is the {@code notification} frame. */
    @Override
    public void onMessage(String channel, String payload) {
        long user = RedisKeys.userOfNotifyChannel(channel);
        Set<ClientSession> sessions = byUser.get(user);
        if (sessions != null) {
            for (ClientSession session : sessions) {
                outbound.write(session, payload);
            }
        }
    }

    /** Notifications may have been missed: clients reconnect and get what they have not acknowledged. */
    @Override
    public void onGap() {
        for (ClientSession session : byConnection.values()) {
            outbound.close(session, CloseCodes.RESYNC, "fan-out interrupted; reconnect");
        }
    }
}

package io.parley.chat.delivery;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.fanout.ChannelReceiver;
import io.parley.chat.fanout.Envelope;
import io.parley.chat.fanout.FanoutBroker;
import io.parley.chat.protocol.CloseCodes;
import io.parley.chat.protocol.ServerFrames;
import io.parley.chat.store.HandedOutSeqs;
import io.parley.chat.store.RedisKeys;
import jakarta.inject.Singleton;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's open connections, indexed by connection, user and group, and the bridge from fan-out to them:
 * a node subscribes to a user's channel while it holds one of that user's connections, and to a group's
 * channel while it holds a connection of one of its members — and to nothing else.
 */
@Singleton // no client proxy on the per-frame path
public class LocalConnections implements ChannelReceiver {

    private final FanoutBroker broker;
    private final Outbound outbound;
    private final Map<String, ClientSession> byConnection = new ConcurrentHashMap<>();
    private final Map<Long, Set<ClientSession>> byUser = new ConcurrentHashMap<>();
    private final Map<String, Set<ClientSession>> byGroup = new ConcurrentHashMap<>();
    /** Connections between their upgrade check and their registration, by user and by group (see {@link Arrival}). */
    private final Map<Long, Set<Arrival>> arrivingByUser = new ConcurrentHashMap<>();
    private final Map<String, Set<Arrival>> arrivingByGroup = new ConcurrentHashMap<>();
    private final int arrivalCapacity;

    private final NodeIdentity node;
    private final ServerFrames frames;
    private final HandedOutSeqs handedOut;

    public LocalConnections(FanoutBroker broker, Outbound outbound, ServerFrames frames, MeterRegistry metrics,
                            NodeIdentity node, ChatConfig config, HandedOutSeqs handedOut) {
        this.broker = broker;
        this.handedOut = handedOut;
        this.frames = frames;
        this.arrivalCapacity = config.limits().maxUnacked();
        this.outbound = outbound;
        this.node = node;
        Gauge.builder("parley.chat.connections", byConnection, Map::size)
                .description("open /ws/chat connections on this node").register(metrics);
        Gauge.builder("parley.chat.users", byUser, Map::size)
                .description("distinct users with a /ws/chat connection on this node").register(metrics);
        Gauge.builder("parley.chat.outbound.queued", this, LocalConnections::queuedFrames)
                .description("frames waiting to be written, all connections of this node").register(metrics);
        Gauge.builder("parley.chat.unacked", this, LocalConnections::unackedMessages)
                .description("messages delivered and not yet acknowledged, all connections of this node").register(metrics);
        Gauge.builder("parley.chat.subscriptions", broker, FanoutBroker::subscriptionCount)
                .description("fan-out channels this node is subscribed to").register(metrics);
    }

    /**
     * Before an upgrade completes: subscribes the node to everything addressed to the user and starts holding what
     * arrives for the connection until {@link #register} claims it. Completes once the subscriptions are in place.
     */
    public Uni<Arrival> expect(long user, Collection<String> groups) {
        Arrival arrival = new Arrival(user, groups, arrivalCapacity);
        List<Uni<Void>> subscriptions = new ArrayList<>();
        synchronized (this) {
            arrivingByUser.computeIfAbsent(user, u -> ConcurrentHashMap.newKeySet()).add(arrival);
            subscriptions.add(broker.subscribe(RedisKeys.userChannel(user)));
            for (String group : groups) {
                subscriptions.add(expectInGroup(arrival, group));
            }
        }
        return Uni.join().all(subscriptions).andCollectFailures().replaceWith(arrival);
    }

    /** The upgrade did not complete (or the socket closed first): stop holding, drop interest nobody else has. */
    public synchronized void abandon(Arrival arrival) {
        arrival.end();
        if (isArriving(arrival)) { // not claimed or abandoned already
            forget(arrival);
        }
    }

    /**
     * Registers a connection whose arrival was expected: from here on it gets live deliveries, and first what
     * arrived for it since its upgrade. Completes once the node receives everything addressed to it.
     */
    public Uni<Void> register(ClientSession session, Arrival arrival) {
        List<Uni<Void>> subscriptions = new ArrayList<>();
        List<Arrival.Held> held;
        synchronized (this) {
            // added before the arrival ends: a message the arrival refuses from now on finds the session live
            byConnection.put(session.id(), session);
            byUser.computeIfAbsent(session.userId(), u -> ConcurrentHashMap.newKeySet()).add(session);
            subscriptions.add(broker.subscribe(RedisKeys.userChannel(session.userId())));
            for (String group : arrival.groups()) {
                subscriptions.add(join(session, group));
            }
            held = arrival.end();
            forget(arrival);
        }
        if (held == null) {
            outbound.close(session, CloseCodes.RESYNC, "more arrived while connecting than could be held; sync");
        } else {
            for (Arrival.Held message : held) {
                outbound.deliver(session, message.conversation(), message.seq(), message.frame());
            }
        }
        return Uni.join().all(subscriptions).andCollectFailures().replaceWithVoid();
    }

    private Uni<Void> expectInGroup(Arrival arrival, String group) {
        arrival.groups().add(group);
        arrivingByGroup.computeIfAbsent(group, g -> ConcurrentHashMap.newKeySet()).add(arrival);
        return broker.subscribe(RedisKeys.groupChannel(group));
    }

    private void leaveAsArrival(Arrival arrival, String group) {
        arrival.groups().remove(group);
        unindex(arrival, group);
    }

    private void unindex(Arrival arrival, String group) {
        Set<Arrival> sameGroup = arrivingByGroup.get(group);
        if (sameGroup != null && sameGroup.remove(arrival) && sameGroup.isEmpty()) {
            arrivingByGroup.remove(group);
        }
        if (!byGroup.containsKey(group) && !arrivingByGroup.containsKey(group)) {
            broker.unsubscribe(RedisKeys.groupChannel(group));
        }
    }

    private boolean isArriving(Arrival arrival) {
        Set<Arrival> arriving = arrivingByUser.get(arrival.userId());
        return arriving != null && arriving.contains(arrival);
    }

    /** Removes an ended arrival from the indexes, unsubscribing from what no connection and no arrival needs. */
    private void forget(Arrival arrival) {
        Set<Arrival> sameUser = arrivingByUser.get(arrival.userId());
        if (sameUser != null && sameUser.remove(arrival) && sameUser.isEmpty()) {
            arrivingByUser.remove(arrival.userId());
        }
        if (!byUser.containsKey(arrival.userId()) && !arrivingByUser.containsKey(arrival.userId())) {
            broker.unsubscribe(RedisKeys.userChannel(arrival.userId()));
        }
        for (String group : arrival.groups()) { // kept: a late registration still needs them
            unindex(arrival, group);
        }
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
                if (!arrivingByUser.containsKey(session.userId())) {
                    broker.unsubscribe(RedisKeys.userChannel(session.userId()));
                }
            }
        }
        for (String group : List.copyOf(session.groups())) {
            leave(session, group);
        }
    }

    public ClientSession byConnectionId(String connectionId) {
        return byConnection.get(connectionId);
    }

    public Collection<ClientSession> all() {
        return byConnection.values();
    }

    public int size() {
        return byConnection.size();
    }

    public long queuedFrames() {
        long sum = 0;
        for (ClientSession session : byConnection.values()) {
            sum += session.queued();
        }
        return sum;
    }

    public long unackedMessages() {
        long sum = 0;
        for (ClientSession session : byConnection.values()) {
            sum += session.unackedNow();
        }
        return sum;
    }

    public int userCount() {
        return byUser.size();
    }

    /** Whether this node holds a connection of the user. */
    public boolean hasUser(long user) {
        Set<ClientSession> sessions = byUser.get(user);
        return sessions != null && !sessions.isEmpty();
    }

    private Uni<Void> join(ClientSession session, String group) {
        if (!session.groups().add(group)) {
            return Uni.createFrom().voidItem();
        }
        byGroup.computeIfAbsent(group, g -> ConcurrentHashMap.newKeySet()).add(session);
        return broker.subscribe(RedisKeys.groupChannel(group)); // idempotent: one subscription per node
    }

    private void leave(ClientSession session, String group) {
        session.groups().remove(group);
        Set<ClientSession> members = byGroup.get(group);
        if (members == null) {
            return;
        }
        members.remove(session);
        if (members.isEmpty()) {
            byGroup.remove(group);
            if (!arrivingByGroup.containsKey(group)) {
                broker.unsubscribe(RedisKeys.groupChannel(group));
            }
        }
    }

    /** User and group channels. */
    @Override
    public boolean accepts(String channel) {
        return RedisKeys.isUserChannel(channel) || RedisKeys.isGroupChannel(channel);
    }

    @Override
    public void onMessage(String channel, String payload) {
        Envelope envelope = Envelope.parse(payload);
        if (envelope == null) {
            return;
        }
        if (envelope.isControl()) {
            if (RedisKeys.isUserChannel(channel)) {
                onControl(RedisKeys.userOfChannel(channel), envelope);
            }
            return;
        }
        if (!envelope.isTransient()) { // whichever node appends the next one, no seq a device here holds is reused
            handedOut.saw(envelope.conversation(), envelope.seq());
        }
        boolean toUser = RedisKeys.isUserChannel(channel);
        boolean toGroup = !toUser && RedisKeys.isGroupChannel(channel);
        long user = toUser ? RedisKeys.userOfChannel(channel) : 0;
        String group = toGroup ? RedisKeys.groupOfChannel(channel) : null;
        SharedFrame frame = new SharedFrame(envelope.frame());
        if (!envelope.isTransient() && !(arrivingByUser.isEmpty() && arrivingByGroup.isEmpty())) {
            // held before the live lookup: an arrival that refuses the message was registered, so the lookup finds it
            hold(toUser ? arrivingByUser.get(user) : toGroup ? arrivingByGroup.get(group) : null, envelope, frame);
        }
        Set<ClientSession> targets = toUser ? byUser.get(user) : toGroup ? byGroup.get(group) : null;
        if (targets == null) {
            return;
        }
        if (envelope.isTransient()) {
            outbound.writeAll(targets, Long.parseLong(envelope.exclude()), frame);
            return;
        }
        outbound.deliverAll(targets, envelope.exclude(), envelope.conversation(), envelope.seq(), frame);
    }

    private static void hold(Set<Arrival> arrivals, Envelope envelope, SharedFrame frame) {
        if (arrivals != null) {
            for (Arrival arrival : arrivals) {
                arrival.hold(envelope.conversation(), envelope.seq(), frame);
            }
        }
    }

    private synchronized void onControl(long user, Envelope envelope) {
        Set<Arrival> arriving = arrivingByUser.get(user);
        if (arriving != null) { // a group joined or left while connecting counts from the registration on
            for (Arrival arrival : arriving) {
                if (Envelope.GROUP_JOINED.equals(envelope.controlVerb())) {
                    expectInGroup(arrival, envelope.controlArgument());
                } else if (Envelope.GROUP_LEFT.equals(envelope.controlVerb())) {
                    leaveAsArrival(arrival, envelope.controlArgument());
                }
            }
        }
        Set<ClientSession> sessions = byUser.get(user);
        if (sessions == null) {
            return;
        }
        if (Envelope.CLOSE_CONNECTION.equals(envelope.controlVerb())) {
            String tag = envelope.controlArgument();
            String prefix = node.id() + ":";
            ClientSession session = tag.startsWith(prefix) ? byConnection.get(tag.substring(prefix.length())) : null;
            if (session != null) {
                outbound.close(session, CloseCodes.CONNECTION_LIMIT,
                        "closed: the user opened more connections than allowed (this was the oldest)");
            }
            return;
        }
        boolean joined = Envelope.GROUP_JOINED.equals(envelope.controlVerb());
        if (!joined && !Envelope.GROUP_LEFT.equals(envelope.controlVerb())) {
            return;
        }
        for (ClientSession session : sessions) {
            if (joined) {
                join(session, envelope.controlArgument());
            } else {
                leave(session, envelope.controlArgument());
            }
        }
        // after the index changed, so a client that reacts (opens the group, syncs) is already routed its messages
        outbound.writeAll(sessions, 0, new SharedFrame(frames.membership(envelope.controlArgument(), joined)));
    }

    /** Fan-out may have dropped messages: every client reconnects and syncs. */
    @Override
    public void onGap() {
        for (ClientSession session : byConnection.values()) {
            outbound.close(session, CloseCodes.RESYNC, "fan-out interrupted; reconnect and sync");
        }
    }
}

package io.parley.chat.service;

import io.parley.chat.delivery.ClientSession;
import io.parley.chat.fanout.ChannelReceiver;
import io.parley.chat.fanout.FanoutBroker;
import io.parley.chat.protocol.FrameException;
import io.parley.common.error.ErrorCode;
import io.parley.common.redis.SharedKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The users the operator blocked from sending (auth-service's admin API), as a local set: the check on every send is
 * one lookup in memory, no Redis call. The set follows {@link SharedKeys#SEND_BLOCKS_CHANNEL} on the node's fan-out
 * connection, so a block reaches every node within milliseconds; it is read whole from {@link SharedKeys#SEND_BLOCKED}
 * at start, whenever the subscription was lost (pub/sub is at most once), and when auth-service asks
 * ({@link SharedKeys#SEND_BLOCKS_RELOAD}).
 */
@ApplicationScoped
public class SendBlocks implements ChannelReceiver {

    private static final Logger LOG = Logger.getLogger(SendBlocks.class);

    private final FanoutBroker broker;
    private final ReactiveRedisDataSource redis;
    private final Set<Long> blocked = ConcurrentHashMap.newKeySet();
    /** Changes seen since start; a whole read that began before one must not undo it. */
    private final AtomicLong changes = new AtomicLong();

    public SendBlocks(FanoutBroker broker, ReactiveRedisDataSource redis) {
        this.broker = broker;
        this.redis = redis;
    }

    void start(@Observes StartupEvent event) {
        broker.subscribe(SharedKeys.SEND_BLOCKS_CHANNEL);
        reload();
    }

    /** Refuses the send (an edit, a delete) of a blocked user with {@code SEND_BLOCKED}; {@code ref} is its clientMsgId. */
    public void check(ClientSession sender, String ref) {
        if (!blocked.isEmpty() && blocked.contains(sender.userId())) {
            throw new FrameException(ErrorCode.SEND_BLOCKED, "the operator has blocked you from sending", ref);
        }
    }

    @Override
    public boolean accepts(String channel) {
        return SharedKeys.SEND_BLOCKS_CHANNEL.equals(channel);
    }

    @Override
    public void onMessage(String channel, String payload) {
        int colon = payload.indexOf(':');
        if (colon > 0) {
            try {
                long user = Long.parseLong(payload.substring(0, colon));
                changes.incrementAndGet();
                if (payload.endsWith(":1")) {
                    blocked.add(user);
                } else {
                    blocked.remove(user);
                }
                return;
            } catch (NumberFormatException e) {
                // not a change of one user: read the whole set
            }
        }
        reload();
    }

    @Override
    public void onGap() {
        reload();
    }

    private void reload() {
        long seen = changes.get();
        redis.set(String.class).smembers(SharedKeys.SEND_BLOCKED).subscribe().with(members -> {
            if (changes.get() != seen) {
                reload(); // a change arrived while reading: read again rather than lose it
                return;
            }
            Set<Long> now = ConcurrentHashMap.newKeySet();
            members.forEach(m -> now.add(Long.parseLong(m)));
            blocked.retainAll(now);
            blocked.addAll(now);
        }, e -> LOG.warnf("send blocks not read (%s); keeping %d known", e.getMessage(), blocked.size()));
    }
}

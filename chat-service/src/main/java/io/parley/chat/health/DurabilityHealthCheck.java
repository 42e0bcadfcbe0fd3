package io.parley.chat.health;

import io.parley.chat.config.ChatConfig;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Locale;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Keeps {@code sent}'s promise honest: with durability {@code aof} the node is ready only while Redis writes its
 * append-only file with {@code appendfsync always} (a Redis that forbids CONFIG is reported as unverified, not
 * refused); {@code replica} on a Redis Cluster is refused at start (WAIT must run on the connection of the write,
 * which the cluster client does not expose).
 */
@Readiness
@ApplicationScoped
public class DurabilityHealthCheck implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(DurabilityHealthCheck.class);

    private final RedisDataSource redis;
    private final ChatConfig.Durability durability;
    private final String clientType;

    public DurabilityHealthCheck(RedisDataSource redis, ChatConfig config,
                                 @ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone") String clientType) {
        this.redis = redis;
        this.durability = config.durability();
        this.clientType = clientType;
    }

    void check(@Observes StartupEvent event) {
        if (durability.level() == ChatConfig.Durability.Level.REPLICA && "cluster".equalsIgnoreCase(clientType)) {
            throw new IllegalStateException("PARLEY_CHAT_DURABILITY_LEVEL=replica needs a standalone (or Sentinel) "
                    + "Redis with replicas; on a Redis Cluster use aof");
        }
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("durability")
                .withData("level", durability.level().name().toLowerCase(Locale.ROOT));
        if (durability.level() != ChatConfig.Durability.Level.AOF) {
            return response.up().build();
        }
        try {
            String appendonly = configValue("appendonly");
            String fsync = configValue("appendfsync");
            if ("yes".equals(appendonly) && "always".equals(fsync)) {
                return response.up().build();
            }
            return response.down().withData("reason", "Redis has appendonly=" + appendonly + ", appendfsync=" + fsync
                    + "; durability aof needs appendonly yes and appendfsync always").build();
        } catch (RuntimeException e) {
            LOG.debugf("cannot read the Redis AOF settings: %s", e.getMessage());
            return response.up().withData("verified", false).build();
        }
    }

    private String configValue(String name) {
        var reply = redis.execute("CONFIG", "GET", name);
        // RESP3: a map {name: value}
        try {
            if (reply.getKeys() != null && reply.getKeys().contains(name)) {
                return reply.get(name).toString();
            }
        } catch (RuntimeException notAMap) {
            // RESP2: an array [name, value]
        }
        for (int i = 0; i + 1 < reply.size(); i += 2) {
            if (name.equals(reply.get(i).toString())) {
                return reply.get(i + 1).toString();
            }
        }
        throw new IllegalStateException("CONFIG GET " + name + " answered " + reply);
    }
}

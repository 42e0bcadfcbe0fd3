package io.parley.chat.topics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.filter.ContentFilter;
import io.parley.chat.protocol.FrameException;
import io.parley.chat.protocol.TopicNames;
import io.parley.chat.quotas.AppQuotas;
import io.parley.chat.store.RedisKeys;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.StreamCommands;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The publish API's side of the publication buffer: checks a publication and appends it to its shard's stream
 * (the topic decides the shard, so one topic's publications stay in order). A full shard answers 429 with
 * Retry-After — a burst is absorbed up to the configured backlog and never dropped silently.
 */
@ApplicationScoped
public class PublicationBuffer {

    /** Entry fields. */
    static final String APP = "app";
    static final String TOPIC = "topic";
    static final String DATA = "data";
    static final String ENCODING = "enc";

    private final StreamCommands<String, String, String> streams;
    private final ContentFilter filter;
    private final ChatConfig config;
    private final AppQuotas quotas;
    private final MeterRegistry metrics;

    public PublicationBuffer(RedisDataSource redis, ContentFilter filter, ChatConfig config, AppQuotas quotas,
                             MeterRegistry metrics) {
        this.streams = redis.stream(String.class);
        this.filter = filter;
        this.config = config;
        this.quotas = quotas;
        this.metrics = metrics;
    }

    /** Appends a publication; returns its id in the buffer. */
    public String publish(String appId, String topic, String data, String encoding) {
        if (!TopicNames.validTopic(topic, config.topics().maxTopicChars())) {
            throw ApiException.invalid("a topic name is 1-" + config.topics().maxTopicChars()
                    + " characters of letters, digits and . _ - : /");
        }
        if (data == null) {
            throw ApiException.invalid("data is required: text, or base64 with \"encoding\":\"base64\"");
        }
        boolean binary = "base64".equals(encoding);
        if (encoding != null && !binary) {
            throw ApiException.invalid("encoding must be \"base64\" (binary data) or absent (text)");
        }
        String stored = data;
        if (binary) {
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(data);
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("data is not valid base64");
            }
            checkSize(bytes.length);
            stored = Base64.getEncoder().encodeToString(bytes); // canonical form
        } else {
            checkSize(data.length() * 3L > config.limits().maxPublicationBytes()
                    ? data.getBytes(StandardCharsets.UTF_8).length : data.length());
            try {
                stored = filter.appText(appId, data);
            } catch (FrameException e) {
                throw new ApiException(e.code(), e.getMessage());
            }
        }
        try {
            quotas.takePublication(appId); // the app's publications per second, across every node
        } catch (ApiException overQuota) {
            counted(appId, "quota");
            throw overQuota;
        }
        String key = RedisKeys.publications(shardOf(appId, topic));
        if (streams.xlen(key) >= config.topics().backlog()) {
            counted(appId, "backlog_full");
            throw new ApiException(ErrorCode.RATE_LIMITED, "the publication buffer is full; retry in a second", 1);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(APP, appId);
        fields.put(TOPIC, topic);
        fields.put(DATA, stored);
        fields.put(ENCODING, binary ? "base64" : "");
        String id = streams.xadd(key, fields);
        counted(appId, "accepted");
        return id;
    }

    /** Publications by app (a bounded label: only an app's own token reaches here) and outcome. */
    private void counted(String appId, String outcome) {
        Counter.builder("parley.chat.publications").tag("app", appId).tag("outcome", outcome)
                .description("publications to the publish API by app and outcome").register(metrics).increment();
    }

    private void checkSize(long bytes) {
        if (bytes > config.limits().maxPublicationBytes()) {
            throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE,
                    "data is larger than " + config.limits().maxPublicationBytes() + " bytes");
        }
    }

    int shardOf(String appId, String topic) {
        return Math.floorMod((appId + ":" + topic).hashCode(), config.topics().shards());
    }
}

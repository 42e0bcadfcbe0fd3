package io.parley.chat.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.chat.config.ChatConfig;
import io.parley.common.error.ErrorCode;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Parses and checks client frames. Every problem becomes a {@link FrameException} whose message names the
 * field, so a client developer can fix it from the {@code error} frame alone.
 */
@Singleton // no client proxy on the per-frame path
public class FrameParser {

    static final Set<String> KINDS = Set.of("text", "image", "file", "custom");
    /**
     * The largest seq or cursor taken: 2^53 - 1, the largest integer a double holds exactly. The cursor scripts keep
     * seqs as Lua numbers (doubles); a larger one came back as "9.2233720368547758e+18" and broke every later sync of
     * the device. No conversation gets near it, and JavaScript clients cannot write more anyway.
     */
    public static final long MAX_SEQ = (1L << 53) - 1;
    private static final int MAX_CURSORS = 10_000;

    private final ObjectMapper json;
    private final ChatConfig.Limits limits;
    private final int topicChars;

    public FrameParser(ObjectMapper json, ChatConfig config) {
        this.json = json;
        this.limits = config.limits();
        this.topicChars = config.topics().maxTopicChars();
    }

    public ClientFrame parse(String text) {
        JsonNode frame;
        try {
            frame = json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new FrameException(ErrorCode.MALFORMED_JSON, "the frame is not valid JSON", null);
        }
        return parse(frame);
    }

    /** Checks a decoded frame (JSON text or the binary encoding: both decode to the same tree). */
    public ClientFrame parse(JsonNode frame) {
        if (frame == null || !frame.isObject()) {
            throw new FrameException(ErrorCode.MALFORMED_JSON, "a frame is a JSON object with a type", null);
        }
        String ref = frame.path("clientMsgId").isTextual() ? frame.get("clientMsgId").asText() : null;
        JsonNode type = frame.get("type");
        if (type == null || !type.isTextual()) {
            throw new FrameException(ErrorCode.INVALID_INPUT, "type is required", ref);
        }
        return switch (type.asText()) {
            case FrameTypes.SEND -> send(frame, ref);
            case FrameTypes.ACK -> new ClientFrame.Ack(conversation(frame, ref), seq(frame, ref));
            case FrameTypes.SYNC -> sync(frame);
            case FrameTypes.PING -> new ClientFrame.Ping();
            case FrameTypes.EDIT -> change(frame, ref, true);
            case FrameTypes.DELETE -> change(frame, ref, false);
            case FrameTypes.READ -> new ClientFrame.Read(conversation(frame, ref), seq(frame, ref));
            case FrameTypes.TYPING -> new ClientFrame.Typing(conversation(frame, ref));
            case FrameTypes.SUBSCRIBE -> topics(frame, true);
            case FrameTypes.UNSUBSCRIBE -> topics(frame, false);
            case FrameTypes.TOKEN -> token(frame);
            default -> throw new FrameException(ErrorCode.UNKNOWN_TYPE, "unknown frame type '" + abbreviate(type.asText()) + "'", ref);
        };
    }

    private ClientFrame.Send send(JsonNode frame, String ref) {
        requireClientMsgId(ref);
        JsonNode to = frame.get("to");
        if (to == null || !to.isObject() || to.size() != 1) {
            throw new FrameException(ErrorCode.INVALID_INPUT, "to must be {\"user\":ID} or {\"group\":\"gid\"}", ref);
        }
        long toUser = 0;
        String toGroup = null;
        if (to.has("user")) {
            JsonNode user = to.get("user");
            if (!user.canConvertToLong() || !user.isIntegralNumber() || !UserIds.valid(user.asLong())) {
                throw new FrameException(ErrorCode.INVALID_INPUT, "to.user must be a user id (1-9999999999)", ref);
            }
            toUser = user.asLong();
        } else if (to.has("group")) {
            JsonNode group = to.get("group");
            if (!group.isTextual() || !GroupIds.valid(group.asText())) {
                throw new FrameException(ErrorCode.INVALID_INPUT, "to.group must be a group id string", ref);
            }
            toGroup = group.asText();
        } else {
            throw new FrameException(ErrorCode.INVALID_INPUT, "to must be {\"user\":ID} or {\"group\":\"gid\"}", ref);
        }
        String text = body(frame, ref);
        String kind = "text";
        JsonNode kindNode = frame.get("kind");
        if (kindNode != null && !kindNode.isNull()) {
            if (!kindNode.isTextual() || !KINDS.contains(kindNode.asText())) {
                throw new FrameException(ErrorCode.INVALID_INPUT, "kind must be one of " + KINDS, ref);
            }
            kind = kindNode.asText();
        }
        return new ClientFrame.Send(ref, toUser, toGroup, text, kind);
    }

    private String body(JsonNode frame, String ref) {
        JsonNode body = frame.get("body");
        if (body == null || !body.isTextual()) {
            throw new FrameException(ErrorCode.INVALID_INPUT, "body is required and must be a string", ref);
        }
        String text = body.asText();
        if (text.isEmpty()) {
            throw new FrameException(ErrorCode.INVALID_INPUT, "body must not be empty", ref);
        }
        if (text.length() > limits.maxBodyChars()) {
            throw new FrameException(ErrorCode.PAYLOAD_TOO_LARGE,
                    "body is longer than " + limits.maxBodyChars() + " characters", ref);
        }
        return text;
    }

    private ClientFrame.Change change(JsonNode frame, String ref, boolean edit) {
        requireClientMsgId(ref);
        ConversationId conversation = conversation(frame, ref);
        JsonNode target = frame.get("target");
        if (target == null || !target.isTextual() || target.asText().length() != 34) {
            throw new FrameException(ErrorCode.INVALID_INPUT, "target must be the 34-character id of one of your messages", ref);
        }
        return new ClientFrame.Change(ref, conversation, target.asText(), edit ? body(frame, ref) : null);
    }

    private void requireClientMsgId(String ref) {
        if (ref == null || ref.isEmpty() || ref.length() > limits.maxClientMsgIdChars()) {
            throw new FrameException(ErrorCode.INVALID_INPUT,
                    "clientMsgId is required: a string of 1-" + limits.maxClientMsgIdChars() + " characters", null);
        }
    }

    private ClientFrame.Topics topics(JsonNode frame, boolean subscribe) {
        JsonNode app = frame.get("appId");
        if (app == null || !app.isTextual() || !TopicNames.validApp(app.asText())) {
            throw new FrameException(ErrorCode.INVALID_INPUT, "appId is required: the app's id", null);
        }
        JsonNode topics = frame.get("topics");
        if (topics == null || !topics.isArray() || topics.isEmpty()) {
            throw new FrameException(ErrorCode.INVALID_INPUT, "topics must be a non-empty array of topic names", null);
        }
        List<String> names = new ArrayList<>(topics.size());
        for (JsonNode topic : topics) {
            if (!topic.isTextual() || !TopicNames.validTopic(topic.asText(), topicChars)) {
                throw new FrameException(ErrorCode.INVALID_INPUT, "a topic name is 1-" + topicChars
                        + " characters of letters, digits and . _ - : /", null);
            }
            names.add(topic.asText());
        }
        return new ClientFrame.Topics(app.asText(), names, subscribe);
    }

    private static ClientFrame.Token token(JsonNode frame) {
        JsonNode token = frame.get("token");
        if (token == null || !token.isTextual() || token.asText().isEmpty() || token.asText().length() > 4096) {
            throw new FrameException(ErrorCode.INVALID_INPUT, "token must be an access token", null);
        }
        return new ClientFrame.Token(token.asText());
    }

    private static ConversationId conversation(JsonNode frame, String ref) {
        JsonNode node = frame.get("conversation");
        ConversationId id = node != null && node.isTextual() ? ConversationId.parse(node.asText()) : null;
        if (id == null) {
            throw new FrameException(ErrorCode.INVALID_INPUT, "conversation must be a conversation id (d:A:B or g:GID)", ref);
        }
        return id;
    }

    private static long seq(JsonNode frame, String ref) {
        JsonNode seq = frame.get("seq");
        if (seq == null || !seq.isIntegralNumber() || !seq.canConvertToLong() || seq.asLong() < 0 || seq.asLong() > MAX_SEQ) {
            throw new FrameException(ErrorCode.INVALID_INPUT, "seq must be an integer from 0 to " + MAX_SEQ, ref);
        }
        return seq.asLong();
    }

    private static ClientFrame.Sync sync(JsonNode frame) {
        JsonNode cursors = frame.get("cursors");
        if (cursors == null || cursors.isNull()) {
            return new ClientFrame.Sync(Map.of());
        }
        if (!cursors.isObject() || cursors.size() > MAX_CURSORS) {
            throw new FrameException(ErrorCode.INVALID_INPUT,
                    "cursors must be an object of at most " + MAX_CURSORS + " {\"<conversation>\": lastSeq}", null);
        }
        Map<String, Long> out = new HashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = cursors.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (ConversationId.parse(field.getKey()) == null) {
                throw new FrameException(ErrorCode.INVALID_INPUT, "cursors has an invalid conversation id '"
                        + abbreviate(field.getKey()) + "'", null);
            }
            JsonNode seq = field.getValue();
            if (!seq.isIntegralNumber() || !seq.canConvertToLong() || seq.asLong() < 0 || seq.asLong() > MAX_SEQ) {
                throw new FrameException(ErrorCode.INVALID_INPUT, "cursor of " + abbreviate(field.getKey())
                        + " must be an integer from 0 to " + MAX_SEQ, null);
            }
            out.put(field.getKey(), seq.asLong());
        }
        return new ClientFrame.Sync(out);
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }
}

package io.parley.chat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.parley.chat.config.ChatConfig;
import io.parley.common.error.ErrorCode;
import io.parley.testsupport.openapi.ProtocolRoutes;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * docs/asyncapi.yaml against the code and docs/protocol.md: per endpoint, the client frames it describes are the
 * types the server accepts and the server frames the types it writes ({@link FrameTypes}, which the parser and
 * {@link ServerFrames} use); its close codes are {@link CloseCodes}; protocol.md names every type and points to it.
 */
class AsyncApiDocumentTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT = "/ws/chat";
    private static final String NOTIFY = "/ws/notify";
    private static final String CLIENT_TO_SERVER = "publish";
    private static final String SERVER_TO_CLIENT = "subscribe";

    private final JsonNode asyncApi = readYaml(ProtocolRoutes.protocolFile().resolveSibling("asyncapi.yaml"));
    private final String protocolMd = read(ProtocolRoutes.protocolFile());

    @Test
    void shouldDescribeTheClientFramesEachEndpointAccepts() {
        assertEquals(FrameTypes.CHAT_CLIENT, typesOf(CHAT, CLIENT_TO_SERVER));
        assertEquals(FrameTypes.NOTIFY_CLIENT, typesOf(NOTIFY, CLIENT_TO_SERVER));
    }

    @Test
    void shouldDescribeTheServerFramesEachEndpointWrites() {
        assertEquals(FrameTypes.CHAT_SERVER, typesOf(CHAT, SERVER_TO_CLIENT));
        assertEquals(FrameTypes.NOTIFY_SERVER, typesOf(NOTIFY, SERVER_TO_CLIENT));
    }

    /** The parser knows every client type (a bare frame may lack fields, but is never UNKNOWN_TYPE) and no other. */
    @Test
    void shouldParseExactlyTheClientTypes() {
        FrameParser parser = new FrameParser(JSON, FrameFuzzTest.defaults(ChatConfig.class));
        for (String type : FrameTypes.CHAT_CLIENT) {
            ErrorCode refusal = refusalOf(parser, type);
            assertNotEquals(ErrorCode.UNKNOWN_TYPE, refusal, type);
        }
        Set<String> serverOnly = new TreeSet<>(FrameTypes.CHAT_SERVER);
        serverOnly.removeAll(FrameTypes.CHAT_CLIENT);
        serverOnly.add("no-such-type");
        for (String type : serverOnly) {
            assertEquals(ErrorCode.UNKNOWN_TYPE, refusalOf(parser, type), type);
        }
    }

    /** Every frame ServerFrames writes carries a type of the list, and together they are the whole list. */
    @Test
    void shouldWriteExactlyTheServerTypes() throws IOException {
        ServerFrames frames = new ServerFrames(JSON);
        ChatMessage message = new ChatMessage("2026120200000000000000000100000001", "d:1:2", 1, 1, 2, null, "hi", "text",
                1L, null, "c1");
        List<String> written = List.of(
                frames.sent("c1", message.id(), "d:1:2", 1, 1L), frames.message(message),
                String.join("1", frames.messageAroundSeq(message)), ServerFrames.SYNCED, ServerFrames.SYNCED_MORE,
                frames.read("d:1:2", 1, 1), frames.typing("d:1:2", 1), frames.presence(1, true, 0), frames.membership("7", true),
                frames.topics(true, "app", List.of("t")), frames.topics(false, "app", List.of("t")),
                frames.topicsWithdrawn("app", List.of("t")), frames.publication("app", "t", "d", false, "1-0"),
                ServerFrames.PONG, ServerFrames.tokenAccepted(1), ServerFrames.expiring(1),
                frames.error(ErrorCode.INVALID_INPUT, null, null), frames.notification("n", "1-0", "t", "b", null, 1L));
        Set<String> types = new HashSet<>();
        for (String frame : written) {
            types.add(JSON.readTree(frame).path("type").asText());
        }
        Set<String> all = new HashSet<>(FrameTypes.CHAT_SERVER);
        all.addAll(FrameTypes.NOTIFY_SERVER);
        assertEquals(all, types);
    }

    @Test
    void shouldBeMentionedWithEveryFrameTypeInProtocolMd() {
        Set<String> all = new TreeSet<>(FrameTypes.CHAT_CLIENT);
        all.addAll(FrameTypes.CHAT_SERVER);
        all.addAll(FrameTypes.NOTIFY_CLIENT);
        all.addAll(FrameTypes.NOTIFY_SERVER);
        for (String type : all) {
            assertTrue(protocolMd.contains("`" + type + "`") || protocolMd.contains("\"type\":\"" + type + "\""),
                    "protocol.md does not mention the frame type " + type);
        }
        assertTrue(protocolMd.contains("(asyncapi.yaml)"), "protocol.md links docs/asyncapi.yaml");
    }

    @Test
    void shouldListTheCloseCodes() throws IllegalAccessException {
        Set<Integer> codes = new TreeSet<>();
        for (Field field : CloseCodes.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == int.class) {
                codes.add(field.getInt(null));
            }
        }
        Set<Integer> described = new TreeSet<>();
        asyncApi.path("x-close-codes").fieldNames().forEachRemaining(code -> described.add(Integer.parseInt(code)));
        assertEquals(codes, described);
        for (int code : codes) {
            assertTrue(protocolMd.contains("| " + code + " |"), "protocol.md's close code table lacks " + code);
        }
    }

    /** The {@code type} constants of the messages one direction of a channel lists ({@code oneOf} of references). */
    private Set<String> typesOf(String channel, String direction) {
        JsonNode oneOf = asyncApi.path("channels").path(channel).path(direction).path("message").path("oneOf");
        assertTrue(oneOf.isArray() && !oneOf.isEmpty(), channel + " " + direction + " lists its messages");
        Set<String> types = new TreeSet<>();
        for (JsonNode reference : oneOf) {
            String name = reference.path("$ref").asText().replace("#/components/messages/", "");
            JsonNode message = asyncApi.path("components").path("messages").path(name);
            String type = message.path("payload").path("properties").path("type").path("const").asText();
            assertTrue(!type.isEmpty(), "message " + name + " has payload.properties.type.const");
            assertTrue(message.path("payload").path("required").toString().contains("\"type\""), name + " requires type");
            types.add(type);
        }
        return types;
    }

    private static ErrorCode refusalOf(FrameParser parser, String type) {
        try {
            parser.parse("{\"type\":\"" + type + "\"}");
            return null;
        } catch (FrameException e) {
            return e.code();
        }
    }

    private static JsonNode readYaml(Path file) {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }
}

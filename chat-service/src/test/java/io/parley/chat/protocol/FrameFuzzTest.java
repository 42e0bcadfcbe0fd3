package io.parley.chat.protocol;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.parley.chat.config.ChatConfig;
import io.parley.common.error.ErrorCode;
import io.parley.common.json.StrictJson;
import io.smallrye.config.WithDefault;
import io.vertx.core.buffer.Buffer;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the frame parsers directly — {@link FrameParser} (JSON text and trees), {@link BinaryFrames#decode} (CBOR)
 * and {@link AckScanner} (the ack fast path) — with {@value #DEFAULT_FRAMES} generated frames ({@link FrameFuzzer}).
 * Every frame is either accepted or refused with a {@link FrameException} of a catalogued parser code; nothing else
 * escapes, never {@code INTERNAL}; the refusal's {@code error} frame (and an accepted frame's {@code sent}) encodes in
 * JSON and CBOR; a frame the generator left valid is accepted; an ack the fast path takes is the ack the general parser
 * reads. The seed is printed and can be replayed: {@code -Dparley.fuzz.seed=N} (frames: {@code -Dparley.fuzz.frames=N}).
 */
class FrameFuzzTest {

    static final int DEFAULT_FRAMES = 120_000;
    /** What the parser alone may answer; the services behind it add FORBIDDEN, NOT_FOUND and the like. */
    private static final Set<ErrorCode> PARSER_CODES = EnumSet.of(ErrorCode.MALFORMED_JSON, ErrorCode.INVALID_INPUT,
            ErrorCode.UNKNOWN_TYPE, ErrorCode.PAYLOAD_TOO_LARGE);
    private static final int FAILURES_SHOWN = 8;

    private final ObjectMapper json = StrictJson.apply(new ObjectMapper());
    private final FrameParser parser = new FrameParser(json, defaults(ChatConfig.class));
    private final BinaryFrames binary = new BinaryFrames(json);
    private final ServerFrames serverFrames = new ServerFrames(json);

    @Test
    void shouldAcceptOrRefuseEveryFuzzedFrameWithACataloguedCode() {
        long seed = Long.getLong("parley.fuzz.seed", System.nanoTime());
        int count = Integer.getInteger("parley.fuzz.frames", DEFAULT_FRAMES);
        System.out.printf("FrameFuzzTest: %d frames, seed %d (replay: -Dparley.fuzz.seed=%d)%n", count, seed, seed);
        FrameFuzzer fuzzer = new FrameFuzzer(seed, FrameFuzzer.syntheticIds());
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        int failed = 0;
        long started = System.nanoTime();
        for (int i = 0; i < count; i++) {
            FrameFuzzer.Fuzzed frame = fuzzer.next();
            String problem = check(frame, outcomes);
            if (problem != null) {
                failed++;
                if (failures.size() < FAILURES_SHOWN) {
                    failures.add("#" + i + " " + FrameFuzzer.escape(problem) + "\n    frame: " + frame);
                }
            }
        }
        System.out.printf("FrameFuzzTest: %d frames in %d ms, outcomes %s%n", count, (System.nanoTime() - started) / 1_000_000, outcomes);
        assertTrue(failed == 0, failed + " of " + count + " fuzzed frames broke the parser's contract (seed " + seed
                + ", replay with -Dparley.fuzz.seed=" + seed + "):\n" + String.join("\n", failures));
        assertTrue(outcomes.getOrDefault("accepted", 0) > count / 20, "the generator makes frames the parser accepts too: " + outcomes);
        assertTrue(outcomes.keySet().containsAll(List.of("MALFORMED_JSON", "INVALID_INPUT", "UNKNOWN_TYPE", "PAYLOAD_TOO_LARGE")),
                "every kind of refusal is exercised: " + outcomes);
    }

    /** The contract's breach by this frame, or {@code null}. */
    private String check(FrameFuzzer.Fuzzed frame, Map<String, Integer> outcomes) {
        ClientFrame parsed;
        try {
            parsed = frame.binary() ? parser.parse(binary.decode(Buffer.buffer(frame.bytes()))) : parser.parse(frame.text());
        } catch (FrameException refused) {
            outcomes.merge(refused.code().name(), 1, Integer::sum);
            if (!PARSER_CODES.contains(refused.code())) {
                return "refused with " + refused.code() + ", not a parser code: " + refused.getMessage();
            }
            if (refused.getMessage() == null || refused.getMessage().isBlank()) {
                return "refused with " + refused.code() + " without a message";
            }
            if (frame.valid()) {
                return "a valid frame was refused: " + refused.code() + " " + refused.getMessage();
            }
            String encodeProblem = encodes(serverFrames.error(refused.code(), refused.getMessage(), refused.ref()));
            return encodeProblem != null ? "its error frame " + encodeProblem : checkFastPath(frame);
        } catch (Throwable escaped) { // StackOverflowError and OutOfMemoryError included: they are what a fuzz finds
            return "escaped the parser: " + escaped;
        }
        outcomes.merge("accepted", 1, Integer::sum);
        String problem = acceptedProblem(parsed);
        return problem != null ? problem : checkFastPath(frame);
    }

    /** An accepted frame is within every rule, and what the server answers it with encodes. */
    private String acceptedProblem(ClientFrame parsed) {
        if (parsed instanceof ClientFrame.Send send) {
            if (send.clientMsgId().isEmpty() || send.clientMsgId().length() > FrameFuzzer.MAX_CLIENT_MSG_ID_CHARS
                    || send.body().isEmpty() || send.body().length() > FrameFuzzer.MAX_BODY_CHARS
                    || (send.toGroup() != null) == (send.toUser() > 0) || (send.toGroup() == null && !UserIds.valid(send.toUser()))) {
                return "accepted a send that breaks a rule: " + send;
            }
            String problem = encodes(serverFrames.sent(send.clientMsgId(), "0".repeat(34), "d:1:2", 1, 1));
            if (problem != null) {
                return "its sent frame " + problem;
            }
            // the message frame its recipients get, as the append script joins it around the seq
            String[] around = serverFrames.messageAroundSeq(new ChatMessage("0".repeat(34), "d:1:2", 0, 1, send.toUser(),
                    send.toGroup(), send.body(), send.kind(), 1, null, send.clientMsgId()));
            problem = encodes(around[0] + 1 + around[1]);
            return problem == null ? null : "its message frame " + problem;
        }
        if (parsed instanceof ClientFrame.Change change) {
            String problem = encodes(serverFrames.sent(change.clientMsgId(), "0".repeat(34), change.conversation().value(), 1, 1));
            return problem == null ? null : "its sent frame " + problem;
        }
        for (ConversationId conversation : conversationsOf(parsed)) {
            String canonical = conversation.group() ? "g:" + conversation.groupId() : "d:" + conversation.userA() + ":" + conversation.userB();
            if (!conversation.value().equals(canonical)) {
                return "accepted a conversation id spelled otherwise than " + canonical + ": " + conversation.value();
            }
        }
        long seq = parsed instanceof ClientFrame.Ack ack ? ack.seq() : parsed instanceof ClientFrame.Read read ? read.seq() : 0;
        if (seq < 0 || seq > FrameParser.MAX_SEQ) {
            return "accepted a seq out of range: " + parsed;
        }
        if (parsed instanceof ClientFrame.Sync sync && sync.cursors().values().stream().anyMatch(cursor -> cursor < 0 || cursor > FrameParser.MAX_SEQ)) {
            return "accepted a cursor out of range: " + parsed;
        }
        return null;
    }

    private static List<ConversationId> conversationsOf(ClientFrame frame) {
        if (frame instanceof ClientFrame.Ack ack) {
            return List.of(ack.conversation());
        }
        if (frame instanceof ClientFrame.Read read) {
            return List.of(read.conversation());
        }
        if (frame instanceof ClientFrame.Typing typing) {
            return List.of(typing.conversation());
        }
        if (frame instanceof ClientFrame.Change change) {
            return List.of(change.conversation());
        }
        if (frame instanceof ClientFrame.Sync sync) {
            return sync.cursors().keySet().stream().map(ConversationId::parse).toList();
        }
        return List.of();
    }

    /** A server frame is JSON the client can read, and re-encodes as CBOR for binary connections. */
    private String encodes(String serverFrame) {
        try {
            JsonNode tree = json.readTree(serverFrame);
            if (!tree.isObject() || !tree.hasNonNull("type")) {
                return "is not a frame: " + serverFrame;
            }
            binary.encode(serverFrame);
            return null;
        } catch (Exception e) {
            return "does not encode (JSON or CBOR): " + e + " — " + FrameFuzzer.escape(serverFrame);
        }
    }

    /**
     * The ack fast path on the frame's bytes (at an offset, as inside a larger buffer): it never throws, leaves the
     * buffer as it was, and when it takes an ack the general parser reads the same ack from those bytes.
     */
    private String checkFastPath(FrameFuzzer.Fuzzed frame) {
        byte[] bytes = frame.binary() ? frame.bytes() : frame.text().getBytes(StandardCharsets.UTF_8);
        ByteBuf buffer = Unpooled.buffer(bytes.length + 3).writeBytes(new byte[] {'{', '"', ' '}).writeBytes(bytes);
        buffer.readerIndex(3);
        ClientFrame.Ack fast;
        try {
            fast = AckScanner.scan(buffer);
        } catch (Throwable escaped) {
            return "escaped the ack fast path: " + escaped;
        }
        if (buffer.readerIndex() != 3 || buffer.writerIndex() != bytes.length + 3) {
            return "the ack fast path moved the buffer's indexes";
        }
        if (fast == null) {
            return null;
        }
        try {
            ClientFrame general = parser.parse(new String(bytes, StandardCharsets.UTF_8));
            return fast.equals(general) ? null : "the ack fast path read " + fast + ", the parser " + general;
        } catch (FrameException refused) {
            return "the ack fast path took " + fast + ", the parser refuses it: " + refused.code() + " " + refused.getMessage();
        }
    }

    /** A configuration mapping with every {@code @WithDefault} value (nested groups too), as a node without overrides has. */
    @SuppressWarnings("unchecked")
    static <T> T defaults(Class<T> type) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> type.getSimpleName() + " defaults";
                };
            }
            return defaultOf(method);
        });
    }

    private static Object defaultOf(Method method) {
        Class<?> returns = method.getReturnType();
        WithDefault value = method.getAnnotation(WithDefault.class);
        if (value == null) {
            if (returns.isInterface() && !returns.getName().startsWith("java.")) {
                return defaults(returns);
            }
            if (returns == Optional.class) {
                return Optional.empty();
            }
            return returns == List.class ? List.of() : returns == Map.class ? Map.of() : null;
        }
        String text = value.value();
        if (returns == int.class) {
            return Integer.parseInt(text);
        }
        if (returns == long.class) {
            return Long.parseLong(text);
        }
        if (returns == boolean.class) {
            return Boolean.parseBoolean(text);
        }
        if (returns == Duration.class) {
            return Duration.parse(text.matches("\\d+[HMS]") ? "PT" + text : text.matches("\\d+ms") ? "PT" + (Long.parseLong(text.replace("ms", "")) / 1000.0) + "S" : text);
        }
        return text;
    }
}

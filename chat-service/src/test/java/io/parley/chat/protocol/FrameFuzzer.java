package io.parley.chat.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A structure-aware generator of client frames for fuzzing, deterministic for a seed: it builds a valid frame of a
 * random type from {@link Ids} (so frames can aim at real users, groups and conversations), then usually breaks it —
 * a field removed, added or of the wrong type, odd unicode (lone surrogates, NUL, RTL overrides, emoji), huge
 * numbers, deep nesting, a wrong or odd {@code type}, duplicate keys — and encodes it as JSON text or CBOR, whose
 * text or bytes may then be cut, flipped or padded. Some cases come from a fixed list of hostile inputs (empty,
 * {@code null}, 100,000 levels of nesting, CBOR with lengths of 2^63, invalid UTF-8...). A case generated without
 * any mutation is {@link Fuzzed#valid()}: the parser must accept it.
 */
public final class FrameFuzzer {

    /** The limits of the default configuration the generator aims at (boundaries are generated on purpose). */
    public static final int MAX_BODY_CHARS = 4000;
    public static final int MAX_CLIENT_MSG_ID_CHARS = 64;
    public static final int MAX_TOPIC_CHARS = 128;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CBORMapper CBOR = new CBORMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String[] TYPES = {"send", "send", "send", "ack", "ack", "sync", "ping", "edit", "delete",
            "read", "typing", "subscribe", "unsubscribe", "token"};
    private static final String[] FIELD_NAMES = {"type", "clientMsgId", "to", "user", "group", "body", "kind",
            "conversation", "seq", "cursors", "target", "appId", "topics", "token", "extra", "__proto__", "",
            "constructor", "TYPE", "type ", "\u0000", "\u202Etype", "\uD83D\uDE00", "\uD800", "a.b", "$where"};
    /** Odd pieces of text: NUL and controls, RTL/LTR overrides, BOM, emoji and ZWJ sequences, lone surrogates. */
    private static final String[] ODD = {"\u0000", "\u0001", "\u001F", "\u007F", "\u0085", "\u202E", "\u202D",
            "\u200F", "\u200B", "\u2028", "\u2029", "\uFEFF", "\uFFFE", "\uFFFF", "\uD83D\uDE00", "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67",
            "\uD83C\uDFF3\uFE0F\u200D\uD83C\uDF08", "\uD800", "\uDBFF", "\uDC00", "\uDFFF", "\uDC00\uD800", "e\u0301\u0301\u0301",
            "\u05D0\u05D1", "\u0627\u0644", "\\", "\"", "\\u0000", "</script>", "%s%n", "${jndi:x}", "\r\n", "\t", "'", "{}", "\u00E9",
            "\u4E2D\u6587", "\uDB40\uDC01", "\u0300"};

    /** Hostile JSON texts, built once (some are large). */
    private static final String[] HOSTILE_TEXTS = {"", " ", "null", "[]", "{}", "\"ping\"", "123", "true", "{\"type\":null}",
                    "{\"type\":\"ping\"", "{\"type\":\"ping\"}}", "{\"type\":\"ping\",}", "{'type':'ping'}", "{type:\"ping\"}",
                    "{\"type\":\"\\u0070ing\"}", "{\"type\":\"ping\\u0000\"}", "{\"type\":\"\\ud800\"}", "{\"type\":\"\\udc00\\ud800\"}",
                    "{\"type\":\"send\",\"clientMsgId\":\"\\ud83d\",\"to\":{\"user\":1},\"body\":\"\\udfff\"}",
                    "{\"type\":\"sync\",\"cursors\":{\"d:1:2\":1,\"d:1:2\":2}}", "{\"\":\"\"}", "[{\"type\":\"ping\"}]",
                    "{\"type\":\"ack\",\"conversation\":\"d:1:2\",\"seq\":1e2}", "{\"type\":\"ack\",\"conversation\":\"d:1:2\",\"seq\":18446744073709551616}",
                    "[".repeat(100_000), "{\"a\":".repeat(50_000), "\uD800", "{\"type\":\"\uD800\"}", "\u0000", "\uFEFF{\"type\":\"ping\"}",
                    "{\"type\":\"ping\"}\u0000", "{\"type\":\"typing\",\"conversation\":\"d:1:2\u0000\"}", "{\"type\":\"" + "\\\\".repeat(10_000) + "\"}",
                    "{\"type\":\"send\",\"clientMsgId\":\"a\",\"to\":{\"user\":1},\"body\":\"" + "\\uD83D\\uDE00".repeat(2001) + "\"}",
                    "{\"type\":\"subscribe\",\"appId\":\"a\",\"topics\":[" + "\"t\",".repeat(5000) + "\"t\"]}"};

    /** Ids a frame may aim at: users, groups, conversations and tokens (real ones in a live test, made up otherwise). */
    public record Ids(List<Long> users, List<String> groups, List<String> conversations, List<String> tokens) {
    }

    /**
     * One generated frame: JSON {@code text} (may hold lone surrogates) or {@code bytes} (CBOR, or raw bytes);
     * {@code valid} when no mutation was applied; {@code recipe} says how it was made.
     */
    public record Fuzzed(String recipe, String text, byte[] bytes, boolean valid) {

        public boolean binary() {
            return bytes != null;
        }

        /** Its size on the wire (UTF-8 for text). */
        public int wireBytes() {
            return binary() ? bytes.length : text.getBytes(StandardCharsets.UTF_8).length;
        }

        /** The text with lone surrogates written as JSON escapes: valid UTF-16, so a WebSocket client can send it. */
        public String sendableText() {
            StringBuilder out = new StringBuilder(text.length());
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    out.append(c).append(text.charAt(++i));
                } else if (Character.isSurrogate(c)) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
            return out.toString();
        }

        @Override
        public String toString() {
            String content = binary()
                    ? "cbor " + bytes.length + " bytes: " + HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 300))
                    : "json " + text.length() + " chars: " + escape(text.length() > 600 ? text.substring(0, 600) + "…" : text);
            return recipe + (valid ? " (valid)" : "") + " — " + content;
        }
    }

    private final SplittableRandom random;
    private final Ids ids;
    private final List<String> recipe = new ArrayList<>();

    public FrameFuzzer(long seed, Ids ids) {
        this.random = new SplittableRandom(seed);
        this.ids = ids;
    }

    /** Made-up ids for fuzzing the parser alone. */
    public static Ids syntheticIds() {
        return new Ids(List.of(1L, 2L, 42L, 9_999_999_999L, 3_000_000_001L),
                List.of("1", "123456789", "9999999999999999999", "0"),
                List.of("d:1:2", "d:42:9999999999", "g:123456789", "g:1", "d:3000000001:9999999999"),
                List.of("eyJhbGciOiJBMjU2S1ciLCJlbmMiOiJBMjU2R0NNIn0.a.b.c.d", "x"));
    }

    /** The next case: JSON or CBOR, mutated or not. */
    public Fuzzed next() {
        recipe.clear();
        int roll = random.nextInt(100);
        if (roll < 4) {
            return hostile();
        }
        if (roll < 12) {
            return ackText();
        }
        ObjectNode frame = validFrame();
        int mutations = random.nextInt(10) < 2 ? 0 : 1 + random.nextInt(random.nextInt(10) == 0 ? 6 : 3);
        for (int i = 0; i < mutations; i++) {
            mutate(frame);
        }
        boolean cbor = random.nextInt(100) < 35;
        boolean broken = random.nextInt(100) < 30;
        if (cbor) {
            byte[] bytes = cbor(frame);
            recipe.add("cbor");
            if (broken) {
                bytes = breakBytes(bytes);
            }
            return new Fuzzed(String.join(" ", recipe), null, bytes, mutations == 0 && !broken);
        }
        String text = json(frame);
        recipe.add("json");
        if (broken) {
            text = breakText(text);
        }
        return new Fuzzed(String.join(" ", recipe), text, null, mutations == 0 && !broken);
    }

    // ----- valid frames -----

    private ObjectNode validFrame() {
        String type = pick(TYPES);
        recipe.add(type);
        ObjectNode frame = NODES.objectNode();
        frame.put("type", type);
        switch (type) {
            case "send" -> {
                frame.put("clientMsgId", clientMsgId());
                ObjectNode to = frame.putObject("to");
                if (random.nextBoolean()) {
                    to.put("user", pick(ids.users()));
                } else {
                    to.put("group", pick(ids.groups()));
                }
                frame.put("body", body());
                if (random.nextInt(3) == 0) {
                    frame.put("kind", pick(new String[] {"text", "image", "file", "custom"}));
                }
            }
            case "ack", "read" -> {
                frame.put("conversation", pick(ids.conversations()));
                frame.put("seq", seq());
            }
            case "sync" -> {
                int shape = random.nextInt(4);
                if (shape == 1) {
                    frame.putNull("cursors");
                } else if (shape >= 2) {
                    ObjectNode cursors = frame.putObject("cursors");
                    int n = random.nextInt(5);
                    for (int i = 0; i < n; i++) {
                        cursors.put(pick(ids.conversations()), seq());
                    }
                }
            }
            case "edit", "delete" -> {
                frame.put("clientMsgId", clientMsgId());
                frame.put("conversation", pick(ids.conversations()));
                frame.put("target", messageId());
                if (type.equals("edit")) {
                    frame.put("body", body());
                }
            }
            case "typing" -> frame.put("conversation", pick(ids.conversations()));
            case "subscribe", "unsubscribe" -> {
                frame.put("appId", word("ABCXYZabcxyz0129_.-", 1, 64));
                ArrayNode topics = frame.putArray("topics");
                int n = 1 + random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    topics.add(word("abcXYZ0129_.:/-", 1, random.nextInt(20) == 0 ? MAX_TOPIC_CHARS : 20));
                }
            }
            case "token" -> frame.put("token", random.nextBoolean() ? pick(ids.tokens()) : word("abcdefABCDEF0123456789-_.", 1, 200));
            default -> { } // ping
        }
        if (random.nextInt(8) == 0) { // field order does not matter
            ObjectNode shuffled = NODES.objectNode();
            List<String> names = new ArrayList<>();
            frame.fieldNames().forEachRemaining(names::add);
            shuffle(names);
            names.forEach(name -> shuffled.set(name, frame.get(name)));
            return shuffled;
        }
        return frame;
    }

    private String clientMsgId() {
        return switch (random.nextInt(6)) {
            case 0 -> word("abcdefghijklmnopqrstuvwxyz0123456789-", MAX_CLIENT_MSG_ID_CHARS, MAX_CLIENT_MSG_ID_CHARS);
            case 1 -> oddText(1, MAX_CLIENT_MSG_ID_CHARS);
            default -> word("abcdefghijklmnopqrstuvwxyz0123456789-", 1, 36);
        };
    }

    /** 1 to max characters, at the limit now and then; may hold odd unicode. */
    private String body() {
        return switch (random.nextInt(12)) {
            case 0 -> word("abc ", MAX_BODY_CHARS, MAX_BODY_CHARS);
            case 1, 2, 3 -> oddText(1, 200);
            default -> word("abcdefghij klmnopqrstuvwxyz,.!?", 1, 120);
        };
    }

    private long seq() {
        return switch (random.nextInt(6)) {
            case 0 -> 0;
            case 1 -> FrameParser.MAX_SEQ;
            case 2 -> random.nextLong(FrameParser.MAX_SEQ);
            default -> random.nextLong(1, 1000);
        };
    }

    private String messageId() {
        return random.nextInt(4) == 0 ? oddText(34, 34) : word("0123456789", 34, 34);
    }

    // ----- mutations of the tree -----

    private void mutate(ObjectNode frame) {
        switch (random.nextInt(12)) {
            case 0 -> { // a field missing
                String name = someField(frame);
                if (name != null) {
                    recipe.add("-" + name);
                    frame.remove(name);
                }
            }
            case 1 -> { // a field too many
                String name = pick(FIELD_NAMES) + (random.nextInt(4) == 0 ? oddText(1, 5) : "");
                recipe.add("+" + escape(name));
                frame.set(name, anyValue(3));
            }
            case 2, 3 -> { // a field of the wrong type (or an odd value of the right one)
                String name = someField(frame);
                if (name != null) {
                    recipe.add(name + "=?");
                    frame.set(name, anyValue(3));
                }
            }
            case 4 -> { // odd unicode in a string field
                String name = someField(frame);
                if (name != null && frame.get(name).isTextual()) {
                    recipe.add(name + "~unicode");
                    frame.put(name, spliceOdd(frame.get(name).asText()));
                }
            }
            case 5 -> { // a huge, negative or fractional number where one is expected (or anywhere)
                String name = frame.has("seq") ? "seq" : someField(frame);
                if (name != null) {
                    recipe.add(name + "=number");
                    frame.set(name, oddNumber());
                }
            }
            case 6 -> { // deep nesting as a value
                String name = random.nextBoolean() ? someField(frame) : "extra";
                int depth = pick(new int[] {2, 10, 64, 200, 499});
                recipe.add((name == null ? "extra" : name) + "=nested" + depth);
                frame.set(name == null ? "extra" : name, nested(depth));
            }
            case 7 -> { // another, odd or unknown type
                JsonNode type = switch (random.nextInt(6)) {
                    case 0 -> NODES.textNode(pick(TYPES).toUpperCase());
                    case 1 -> NODES.textNode(pick(TYPES) + pick(ODD));
                    case 2 -> NODES.textNode(oddText(0, 60));
                    case 3 -> NODES.textNode(word("abcdefghijklmnopqrstuvwxyz", 1, random.nextInt(10) == 0 ? 20_000 : 12));
                    case 4 -> anyValue(2);
                    default -> NODES.textNode(pick(TYPES));
                };
                recipe.add("type=" + abbreviate(type.toString()));
                frame.set("type", type);
            }
            case 8 -> { // "to" with both, neither, or the wrong thing
                ObjectNode to = NODES.objectNode();
                switch (random.nextInt(5)) {
                    case 0 -> to.put("user", pick(ids.users())).put("group", pick(ids.groups()));
                    case 1 -> { }
                    case 2 -> to.set("user", oddNumber());
                    case 3 -> to.put("group", random.nextBoolean() ? word("0123456789", 20, 40) : oddText(1, 19));
                    default -> to.put("user", "" + pick(ids.users()));
                }
                recipe.add("to=" + abbreviate(to.toString()));
                frame.set("to", to);
            }
            case 9 -> { // just past a length limit
                switch (random.nextInt(4)) {
                    case 0 -> frame.put("body", word("x", MAX_BODY_CHARS + 1, MAX_BODY_CHARS + 50));
                    case 1 -> frame.put("clientMsgId", word("x", MAX_CLIENT_MSG_ID_CHARS + 1, MAX_CLIENT_MSG_ID_CHARS + 5));
                    case 2 -> frame.put("body", "");
                    default -> frame.put("clientMsgId", "");
                }
                recipe.add("limit");
            }
            case 10 -> { // conversation ids that almost are
                recipe.add("conversation~");
                frame.put("conversation", pick(new String[] {"d:1", "d:2:1", "d:0:1", "d:-1:2", "d:+1:2", "d:01:2", "d:1:2:3",
                        "d::", "g:", "g:abc", "g:-1", "g:" + word("0123456789", 20, 25), "x:1:2", "D:1:2", "d:1:99999999999999999999",
                        "d:" + Long.MAX_VALUE + ":" + Long.MAX_VALUE, "d:1:2" + pick(ODD), oddText(0, 90), word("d:0123456789", 81, 100)}));
            }
            default -> { // cursors of every shape
                recipe.add("cursors~");
                ObjectNode cursors = NODES.objectNode();
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    cursors.set(random.nextBoolean() ? pick(ids.conversations()) : oddText(0, 20),
                            random.nextBoolean() ? NODES.numberNode(seq()) : anyValue(2));
                }
                frame.set("cursors", random.nextInt(5) == 0 ? anyValue(2) : cursors);
            }
        }
    }

    private String someField(ObjectNode frame) {
        List<String> names = new ArrayList<>();
        frame.fieldNames().forEachRemaining(names::add);
        return names.isEmpty() ? null : names.get(random.nextInt(names.size()));
    }

    /** Any JSON value, of any type, at most {@code depth} levels deep. */
    private JsonNode anyValue(int depth) {
        return switch (random.nextInt(depth > 0 ? 11 : 8)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(random.nextBoolean());
            case 2 -> oddNumber();
            case 3 -> NODES.numberNode(random.nextLong());
            case 4 -> NODES.textNode(oddText(0, 30));
            case 5 -> NODES.textNode(Long.toString(random.nextLong(1, 10_000_000_000L)));
            case 6 -> NODES.binaryNode(randomBytes(random.nextInt(16)));
            case 7 -> NODES.textNode("");
            case 8 -> {
                ArrayNode array = NODES.arrayNode();
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    array.add(anyValue(depth - 1));
                }
                yield array;
            }
            case 9 -> NODES.objectNode();
            default -> {
                ObjectNode object = NODES.objectNode();
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    object.set(pick(FIELD_NAMES), anyValue(depth - 1));
                }
                yield object;
            }
        };
    }

    private JsonNode oddNumber() {
        return switch (random.nextInt(13)) {
            case 0 -> NODES.numberNode(BigInteger.TEN.pow(19 + random.nextInt(400)));
            case 1 -> NODES.numberNode(BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.ONE));
            case 2 -> NODES.numberNode(BigInteger.valueOf(Long.MIN_VALUE).subtract(BigInteger.ONE));
            case 3 -> NODES.numberNode(-1L);
            case 4 -> NODES.numberNode(Long.MIN_VALUE);
            case 5 -> NODES.numberNode(1.5);
            case 6 -> NODES.numberNode(-0.0);
            case 7 -> NODES.numberNode(new BigDecimal("1e" + (300 + random.nextInt(200))));
            case 8 -> NODES.numberNode(Double.MAX_VALUE);
            case 9 -> NODES.numberNode(0);
            case 10 -> NODES.numberNode(new BigDecimal("5.000"));
            case 11 -> NODES.numberNode(FrameParser.MAX_SEQ + 1);
            default -> NODES.numberNode(UserIds.MAX + 1);
        };
    }

    private JsonNode nested(int depth) {
        JsonNode inner = NODES.textNode("deep");
        for (int i = 0; i < depth; i++) {
            inner = random.nextBoolean() ? NODES.arrayNode().add(inner) : NODES.objectNode().set("a", inner);
        }
        return inner;
    }

    // ----- encodings and what breaks them -----

    private static String json(JsonNode frame) {
        try {
            return JSON.writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] cbor(JsonNode frame) {
        try {
            return CBOR.writeValueAsBytes(frame);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            // a lone surrogate cannot be CBOR text: send its replacement, as an encoder in another language might
            try {
                return CBOR.writeValueAsBytes(JSON.readTree(json(frame).getBytes(StandardCharsets.UTF_8)));
            } catch (java.io.IOException again) {
                throw new IllegalStateException(again);
            }
        }
    }

    private String breakText(String text) {
        int at = text.isEmpty() ? 0 : random.nextInt(text.length() + 1);
        switch (random.nextInt(12)) {
            case 0 -> {
                recipe.add("truncated@" + at);
                return text.substring(0, at);
            }
            case 1 -> { // duplicate keys: the same key twice, the first or the last wins
                String key = pick(new String[] {"type", "conversation", "seq", "to", "body", "clientMsgId", "cursors"});
                String value = random.nextBoolean() ? json(anyValue(1)) : "\"" + pick(TYPES) + "\"";
                recipe.add("duplicate:" + key);
                if (text.startsWith("{") && text.length() > 2) {
                    return random.nextBoolean()
                            ? "{\"" + key + "\":" + value + "," + text.substring(1)
                            : text.substring(0, text.length() - 1) + ",\"" + key + "\":" + value + "}";
                }
                return text;
            }
            case 2 -> {
                recipe.add("char-dropped@" + at);
                return at < text.length() ? text.substring(0, at) + text.substring(at + 1) : text;
            }
            case 3 -> {
                String odd = pick(ODD);
                recipe.add("raw-unicode@" + at);
                return text.substring(0, at) + odd + text.substring(at);
            }
            case 4 -> {
                String piece = pick(new String[] {"{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\ud800", "\\uZZZZ", " ", "/*x*/",
                        "//", "'", "NaN", "-Infinity", "1e999999", "00", "-", "null", "true,", ",}", "\u0000"});
                recipe.add("inserted@" + at);
                return text.substring(0, at) + piece + text.substring(at);
            }
            case 5 -> { // a number with thousands of digits, or one that overflows a double
                String number = pick(new String[] {"1" + "0".repeat(1200), "9".repeat(19), "1e400", "-0", "0.0000001e-999999", "01",
                        "123456789012345678901234567890"});
                recipe.add("number");
                int seq = text.indexOf("\"seq\":");
                return seq >= 0 ? text.substring(0, seq + 6) + number + text.substring(skipValue(text, seq + 6))
                        : text.substring(0, at) + number + text.substring(at);
            }
            case 6 -> {
                recipe.add("wrapped");
                return pick(new String[] {"[" + text + "]", text + text, text + " trailing", "\uFEFF" + text,
                        " \n\t" + text + "\r\n ", "{\"type\":\"ping\"," + text.replaceFirst("^\\{", "") , text + "}"});
            }
            case 7 -> {
                int depth = pick(new int[] {999, 1000, 1001, 5000, 100_000});
                recipe.add("text-nested" + depth);
                String open = random.nextBoolean() ? "[" : "{\"a\":";
                String close = open.equals("[") ? "]" : "}";
                String inner = open.repeat(depth) + "1" + (random.nextBoolean() ? close.repeat(depth) : "");
                return text.startsWith("{") ? "{\"x\":" + inner + "," + text.substring(1) : inner;
            }
            case 8 -> { // a frame larger than the frame limit (now and then: the socket closes on it)
                if (random.nextInt(4) != 0) {
                    recipe.add("truncated@" + at);
                    return text.substring(0, at);
                }
                recipe.add("oversize");
                String pad = "x".repeat(65_536 + random.nextInt(80_000));
                return text.startsWith("{") ? "{\"pad\":\"" + pad + "\"," + text.substring(1) : pad;
            }
            default -> {
                recipe.add("chars-swapped");
                char[] chars = text.toCharArray();
                for (int i = 0; i < 1 + random.nextInt(3) && chars.length > 0; i++) {
                    chars[random.nextInt(chars.length)] = (char) random.nextInt(0x80);
                }
                return new String(chars);
            }
        }
    }

    private static int skipValue(String text, int from) {
        int i = from;
        while (i < text.length() && text.charAt(i) != ',' && text.charAt(i) != '}') {
            i++;
        }
        return i;
    }

    private byte[] breakBytes(byte[] bytes) {
        int at = bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1);
        switch (random.nextInt(7)) {
            case 0 -> {
                recipe.add("truncated@" + at);
                return Arrays.copyOf(bytes, at);
            }
            case 1 -> {
                recipe.add("bit-flipped");
                byte[] copy = bytes.clone();
                for (int i = 0; i < 1 + random.nextInt(3) && copy.length > 0; i++) {
                    copy[random.nextInt(copy.length)] ^= (byte) (1 << random.nextInt(8));
                }
                return copy;
            }
            case 2 -> {
                recipe.add("byte-replaced");
                byte[] copy = bytes.clone();
                if (copy.length > 0) {
                    copy[random.nextInt(copy.length)] = (byte) pick(new int[] {0xff, 0x1c, 0x1f, 0x5f, 0x7f, 0x9f, 0xbf, 0xf7, 0xf8, 0xfc, 0xc2, 0x00});
                }
                return copy;
            }
            case 3 -> {
                recipe.add("self-described");
                return concat(new byte[] {(byte) 0xd9, (byte) 0xd9, (byte) 0xf7}, bytes);
            }
            case 4 -> {
                recipe.add("trailing");
                return concat(bytes, randomBytes(1 + random.nextInt(8)));
            }
            case 5 -> {
                recipe.add("inserted@" + at);
                return concat(Arrays.copyOf(bytes, at), concat(randomBytes(1 + random.nextInt(4)), Arrays.copyOfRange(bytes, at, bytes.length)));
            }
            default -> {
                recipe.add("twice");
                return concat(bytes, bytes);
            }
        }
    }

    /** The fixed list of hostile inputs, JSON and CBOR. */
    private Fuzzed hostile() {
        recipe.add("hostile");
        if (random.nextBoolean()) {
            String text = pick(HOSTILE_TEXTS);
            return new Fuzzed("hostile json", text, null, false);
        }
        byte[] bytes = switch (random.nextInt(20)) {
            case 0 -> new byte[0];
            case 1 -> hex("ff");
            case 2 -> hex("f7");
            case 3 -> hex("1c");
            case 4 -> hex("bf6474797065647069 6e67ff"); // indefinite map {"type":"ping"}: valid
            case 5 -> hex("a10102"); // an integer key
            case 6 -> hex("a1800102"); // an array as a key
            case 7 -> hex("a1647479706562c328"); // invalid UTF-8 in text
            case 8 -> hex("a164747970655bffffffffffffffff"); // a byte string of 2^64-1 bytes, absent
            case 9 -> hex("a164747970657b7fffffffffffffff"); // a text string of 2^63-1 bytes, absent
            case 10 -> hex("bbffffffffffffffff"); // a map of 2^64-1 entries
            case 11 -> hex("9b7fffffffffffffff"); // an array of 2^63-1 items
            case 12 -> concat(repeat((byte) 0x81, 100_000), hex("01")); // 100,000 nested arrays
            case 13 -> concat(repeat(hex("a16161"), 5_000), hex("01")); // 5,000 nested maps
            case 14 -> hex("a3647479706563616"
                    + "36b6c636f6e766572736174696f6e65643a313a3263736571c2581f" + "ff".repeat(31)); // seq a bignum
            case 15 -> hex("a3647479706563616"
                    + "36b6c636f6e766572736174696f6e65643a313a3263736571c482201903e8"); // seq a decimal fraction
            case 16 -> hex("a2647479706563616"
                    + "36b63736571f97e00"); // seq a half-float NaN
            case 17 -> hex("a164747970657f627069626e67ff"); // an indefinite text string
            case 18 -> hex("a16474797065d8ff6470696e67"); // a tagged string
            default -> randomBytes(random.nextInt(64));
        };
        return new Fuzzed("hostile cbor", null, bytes, false);
    }

    /** Acks written by hand: the fast path's input, in spellings it must take or leave to the general parser. */
    private Fuzzed ackText() {
        recipe.add("ack-text");
        String conversation = random.nextInt(6) == 0 ? pick(new String[] {"d:01:2", "d:+1:2", "d:1:2\\u0000", "d:1\\u003a2", "g:1é",
                "d:2:1", "g:", "", "d:1:2 "}) : pick(ids.conversations());
        String seq = switch (random.nextInt(10)) {
            case 0 -> "0" + random.nextInt(100);
            case 1 -> "9".repeat(15 + random.nextInt(6));
            case 7 -> Long.toString(FrameParser.MAX_SEQ + random.nextInt(-1, 2));
            case 2 -> "-" + random.nextInt(5);
            case 3 -> "\"" + random.nextInt(5) + "\"";
            case 4 -> random.nextInt(5) + ".0";
            case 5 -> "1" + "0".repeat(18);
            default -> Long.toString(random.nextLong(0, 1_000_000));
        };
        List<String> fields = new ArrayList<>(List.of("\"type\":\"ack\"", "\"conversation\":\"" + conversation + "\"", "\"seq\":" + seq));
        if (random.nextInt(5) == 0) {
            fields.add(pick(new String[] {"\"type\":\"ack\"", "\"seq\":1", "\"x\":1", "\"conversation\":\"d:1:2\"", "\"type\":\"send\""}));
        }
        if (random.nextInt(8) == 0) {
            fields.remove(random.nextInt(fields.size()));
        }
        shuffle(fields);
        String space = pick(new String[] {"", "", " ", "\n", "\t", "\r\n", "  "});
        String text = "{" + space + String.join(space + "," + space, fields) + space + "}";
        if (random.nextInt(10) == 0) {
            text = text + " ".repeat(random.nextInt(260));
        }
        if (random.nextInt(10) == 0) {
            text = breakText(text);
        }
        return new Fuzzed(String.join(" ", recipe), text, null, false);
    }

    // ----- small helpers -----

    private String oddText(int min, int max) {
        int length = min + random.nextInt(Math.max(1, max - min + 1));
        StringBuilder out = new StringBuilder();
        while (out.length() < length) {
            out.append(random.nextInt(3) == 0 ? (char) ('a' + random.nextInt(26)) + "" : pick(ODD));
        }
        String text = out.toString();
        return text.length() > max ? text.substring(0, max) : text;
    }

    private String spliceOdd(String text) {
        int at = text.isEmpty() ? 0 : random.nextInt(text.length() + 1);
        return text.substring(0, at) + pick(ODD) + text.substring(at);
    }

    private String word(String alphabet, int min, int max) {
        int length = min + random.nextInt(max - min + 1);
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = alphabet.charAt(random.nextInt(alphabet.length()));
        }
        return new String(chars);
    }

    private byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    private <T> T pick(List<T> items) {
        return items.get(random.nextInt(items.size()));
    }

    private <T> T pick(T[] items) {
        return items[random.nextInt(items.length)];
    }

    private int pick(int[] items) {
        return items[random.nextInt(items.length)];
    }

    private <T> void shuffle(List<T> items) {
        for (int i = items.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            T t = items.get(i);
            items.set(i, items.get(j));
            items.set(j, t);
        }
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    private static byte[] repeat(byte b, int n) {
        byte[] bytes = new byte[n];
        Arrays.fill(bytes, b);
        return bytes;
    }

    private static byte[] repeat(byte[] piece, int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(piece.length * n);
        for (int i = 0; i < n; i++) {
            out.writeBytes(piece);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String abbreviate(String text) {
        return text.length() <= 30 ? text : text.substring(0, 30) + "…";
    }

    /** Control characters and surrogates made visible, for failure messages. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(c < 0x20 || Character.isSurrogate(c) || (c >= 0x7f && c < 0xa0) || c == 0x202e ? String.format("\\u%04x", (int) c) : c);
        }
        return out.toString();
    }
}

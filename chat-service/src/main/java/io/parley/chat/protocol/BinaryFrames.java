package io.parley.chat.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.parley.common.error.ErrorCode;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The compact binary encoding of the same frames, negotiated with the WebSocket subprotocol
 * {@value #SUBPROTOCOL}: each frame is one CBOR map (RFC 8949) in one binary WebSocket frame, with the same
 * field names as the JSON frames. Binary publication data travels as a CBOR byte string ({@code "encoding":"binary"})
 * instead of base64 text. Encoded with Jackson's CBOR format (jackson-dataformat-cbor).
 */
@Singleton
public class BinaryFrames {

    public static final String SUBPROTOCOL = "parley.cbor.v1";

    private final ObjectMapper json;
    private final CBORMapper cbor = new CBORMapper();

    public BinaryFrames(ObjectMapper json) {
        this.json = json;
    }

    /** The binary form of a JSON server frame. */
    public Buffer encode(String jsonFrame) {
        try {
            // from its UTF-8 bytes, as a text frame goes out: a lone surrogate (echoed from a client's frame) becomes '?'
            // there, where the CBOR encoder would refuse it
            JsonNode tree = json.readTree(jsonFrame.getBytes(StandardCharsets.UTF_8));
            if (tree instanceof ObjectNode frame && "publication".equals(frame.path("type").asText())
                    && "base64".equals(frame.path("encoding").asText())) {
                frame.put("data", Base64.getDecoder().decode(frame.path("data").asText()));
                frame.put("encoding", "binary");
            }
            return Buffer.buffer(cbor.writeValueAsBytes(tree));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("a server frame always re-encodes", e);
        }
    }

    /** A client's binary frame as the same tree {@link FrameParser} checks. */
    public JsonNode decode(Buffer frame) {
        try {
            return cbor.readTree(frame.getBytes());
        } catch (IOException e) {
            throw new FrameException(ErrorCode.MALFORMED_JSON, "the binary frame is not valid CBOR", null);
        }
    }
}

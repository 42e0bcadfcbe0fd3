package io.parley.chat.store;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.types.BulkType;
import io.vertx.redis.client.impl.types.ErrorType;
import io.vertx.redis.client.impl.types.MultiType;
import io.vertx.redis.client.impl.types.NumberType;
import io.vertx.redis.client.impl.types.SimpleStringType;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Decodes RESP2 replies (what Redis answers a connection that never sent {@code HELLO 3}) into the Vert.x Redis
 * client's {@link Response} types, so code reading a reply is the same whichever client carried it. A nil reply is
 * {@link #NIL}, an error reply an {@link ErrorType}. A reply split over reads waits for the rest (it is parsed again
 * from its start: replies on the hot path are small).
 */
final class RespReplyDecoder extends ByteToMessageDecoder {

    /** Stands for a nil bulk string or array (a decoder cannot emit {@code null}). */
    static final Object NIL = new Object();
    /** Marks "not all of it has arrived". */
    private static final Object INCOMPLETE = new Object();
    private static final int MAX_LINE = 64;
    private static final int MAX_DEPTH = 32;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            int start = in.readerIndex();
            Object reply = read(in, 0);
            if (reply == INCOMPLETE) {
                in.readerIndex(start);
                return;
            }
            out.add(reply);
        }
    }

    /** One reply from the reader index on; {@link #INCOMPLETE} when the buffer ends first. */
    private static Object read(ByteBuf in, int depth) {
        if (depth > MAX_DEPTH) {
            throw new DecoderException("RESP reply nested deeper than " + MAX_DEPTH);
        }
        if (!in.isReadable()) {
            return INCOMPLETE;
        }
        byte type = in.readByte();
        boolean textLine = type == '+' || type == '-'; // status and error lines may be long; number lines are not
        int searchEnd = textLine ? in.writerIndex() : Math.min(in.writerIndex(), in.readerIndex() + MAX_LINE + 1);
        int lineEnd = in.indexOf(in.readerIndex(), searchEnd, (byte) '\r');
        if (lineEnd < 0 || lineEnd + 1 >= in.writerIndex()) {
            if (!textLine && in.readableBytes() > MAX_LINE) {
                throw new DecoderException("RESP header line too long");
            }
            return INCOMPLETE;
        }
        return switch (type) {
            case '+', '-' -> line(in, type, lineEnd);
            case ':' -> {
                long value = number(in, lineEnd);
                yield NumberType.create(value);
            }
            case '$' -> {
                long length = number(in, lineEnd);
                if (length < 0) {
                    yield NIL;
                }
                if (in.readableBytes() < length + 2) {
                    yield INCOMPLETE;
                }
                byte[] bytes = new byte[(int) length];
                in.readBytes(bytes);
                in.skipBytes(2);
                yield BulkType.create(Buffer.buffer(bytes), false);
            }
            case '*' -> {
                long count = number(in, lineEnd);
                if (count < 0) {
                    yield NIL;
                }
                MultiType multi = MultiType.create(count, false);
                for (long i = 0; i < count; i++) {
                    Object element = read(in, depth + 1);
                    if (element == INCOMPLETE) {
                        yield INCOMPLETE;
                    }
                    multi.add(element == NIL ? null : (Response) element);
                }
                yield multi;
            }
            default -> throw new DecoderException("unexpected RESP type byte " + (char) type);
        };
    }

    private static Object line(ByteBuf in, byte type, int lineEnd) {
        String text = in.toString(in.readerIndex(), lineEnd - in.readerIndex(), StandardCharsets.UTF_8);
        in.readerIndex(lineEnd + 2);
        return type == '+' ? SimpleStringType.create(text) : ErrorType.create(text);
    }

    private static long number(ByteBuf in, int lineEnd) {
        long value = 0;
        boolean negative = false;
        int i = in.readerIndex();
        if (in.getByte(i) == '-') {
            negative = true;
            i++;
        }
        for (; i < lineEnd; i++) {
            byte digit = in.getByte(i);
            if (digit < '0' || digit > '9') {
                throw new DecoderException("malformed RESP number");
            }
            value = value * 10 + (digit - '0');
        }
        in.readerIndex(lineEnd + 2);
        return negative ? -value : value;
    }
}

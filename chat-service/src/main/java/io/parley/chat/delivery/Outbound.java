package io.parley.chat.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.protocol.BinaryFrames;
import io.parley.chat.protocol.CloseCodes;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Writes frames to clients. A frame is encoded once as WebSocket wire bytes ({@link SharedFrame}); a fan-out is
 * split by event loop, and each loop gets one task that copies the bytes into one buffer, writes a view of it to
 * each of its sockets and flushes each socket once — instead of a websockets-next send (a Uni, a task, an encoding,
 * a copy and a flush) per recipient. Everything that touches a session's delivery state runs on its socket's event
 * loop, so the state needs no locks.
 *
 * <p>Slow consumers: a client whose socket holds more than {@code outbound-queue} unsent frames, or more than
 * {@code max-unacked} unacknowledged messages, is closed (4003) and resumes later with {@code sync}, so nobody else
 * waits for it. Unacknowledged messages are resent by {@link DeliveryTimers}.
 */
@Singleton // no client proxy on the per-frame path
public class Outbound {

    private static final Logger LOG = Logger.getLogger(Outbound.class);

    private final ChatConfig.Limits limits;
    private final Counter framesOut;
    private final Counter slowConsumers;
    private final BinaryFrames binaryFrames;

    public Outbound(ChatConfig config, MeterRegistry metrics, BinaryFrames binaryFrames) {
        this.binaryFrames = binaryFrames;
        this.limits = config.limits();
        this.framesOut = metrics.counter("parley.chat.frames.out");
        this.slowConsumers = metrics.counter("parley.chat.closed", "reason", "slow_consumer");
    }

    /** Delivers a message frame and tracks it until the client acknowledges its seq. */
    public void deliver(ClientSession session, String conversation, long seq, String frame) {
        deliver(session, conversation, seq, new SharedFrame(frame));
    }

    /** As {@link #deliver(ClientSession, String, long, String)}, for a frame shared by many recipients. */
    public void deliver(ClientSession session, String conversation, long seq, SharedFrame frame) {
        onLoop(session, () -> writeTracked(List.of(session), null, conversation, seq, frame));
    }

    /**
     * Delivers one message to many local connections (a fan-out), except the connection tagged {@code excludeTag}
     * (the sender's: it has its {@code sent}). One task per event loop.
     */
    public void deliverAll(Iterable<ClientSession> targets, String excludeTag, String conversation, long seq,
                           SharedFrame frame) {
        for (LoopBatch batch : LoopBatch.split(targets)) {
            batch.run(() -> writeTracked(batch.sessions, excludeTag, conversation, seq, frame));
        }
    }

    /** Writes a frame that needs no acknowledgement to many connections, except those of {@code excludedUser} (0: none). */
    public void writeAll(Iterable<ClientSession> targets, long excludedUser, SharedFrame frame) {
        for (LoopBatch batch : LoopBatch.split(targets)) {
            batch.run(() -> writeUntracked(batch.sessions, excludedUser, frame));
        }
    }

    /** The client has everything up to {@code seq} in the conversation: stop retransmitting it. */
    public void acknowledge(ClientSession session, String conversation, long seq) {
        onLoop(session, () -> session.acknowledge(conversation, seq, System.nanoTime()));
    }

    /** Writes a frame that needs no acknowledgement ({@code sent}, {@code error}, {@code pong}, ...). */
    public void write(ClientSession session, String frame) {
        write(session, new SharedFrame(frame));
    }

    /** Writes a frame shared by many recipients (encoded to binary at most once). */
    public void write(ClientSession session, SharedFrame frame) {
        onLoop(session, () -> writeUntracked(List.of(session), 0, frame));
    }

    /** Resends a message frame the client has not acknowledged (its window already covers it). */
    void resend(ClientSession session, String frame) {
        write(session, frame);
    }

    /** Event loop only: a WebSocket ping (the client's pong counts as activity for the idle timeout). */
    void ping(ClientSession session) {
        Channel channel = session.channel();
        if (session.isClosing()) {
            return;
        }
        if (channel == null) {
            session.connection().sendPing(Buffer.buffer()).subscribe().with(ok -> { }, e -> { });
            return;
        }
        if (channel.isActive()) {
            channel.writeAndFlush(channel.alloc().directBuffer(2, 2).writeBytes(WireFrame.PING), session.quietWrites());
        }
    }

    /** Closes once, with a documented close code. */
    public void close(ClientSession session, int code, String reason) {
        if (!session.markClosing()) {
            return;
        }
        session.connection().close(CloseCodes.reason(code, reason)).subscribe().with(
                ok -> { },
                failure -> LOG.debugf("close of %s failed: %s", session.id(), failure.getMessage()));
    }

    /** Runs on the session's event loop: here and now if already on it. */
    static void onLoop(ClientSession session, Runnable task) {
        onLoop(session.loop(), task);
    }

    /** Runs on the event loop (here and now if already on it, or without one). */
    static void onLoop(EventLoop loop, Runnable task) {
        if (loop == null || loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    // ---- on the event loop -----------------------------------------------------------------------------------

    private void writeTracked(List<ClientSession> sessions, String excludeTag, String conversation, long seq,
                              SharedFrame frame) {
        long now = System.nanoTime();
        Writer writer = new Writer(frame, sessions.size());
        for (ClientSession session : sessions) {
            // A copy already written and awaiting its ack is not written again (a live delivery racing a sync replay):
            // the retransmission owns it. Anything else is written — even at or below what the client acknowledged,
            // since a sync replays everything after the cursor it names and, on a fresh connection, live messages
            // (acknowledged at once) overtake the replay. A copy the client has is dropped by id.
            if (session.isClosing() || (excludeTag != null && excludeTag.equals(session.tag()))
                    || session.inFlight(conversation, seq)) {
                continue;
            }
            session.written(conversation, seq, now);
            if (session.unackedNow() > limits.maxUnacked()) {
                slow(session, "too many unacknowledged messages; reconnect and sync");
                continue;
            }
            writer.write(session);
        }
        writer.finish();
    }

    private void writeUntracked(List<ClientSession> sessions, long excludedUser, SharedFrame frame) {
        Writer writer = new Writer(frame, sessions.size());
        for (ClientSession session : sessions) {
            if (!session.isClosing() && session.userId() != excludedUser) {
                writer.write(session);
            }
        }
        writer.finish();
    }

    private void slow(ClientSession session, String reason) {
        slowConsumers.increment();
        close(session, CloseCodes.SLOW_CONSUMER, reason);
    }

    /** One frame to several sockets of one event loop: one buffer per encoding, one flush per socket. */
    private final class Writer {
        private final SharedFrame frame;
        private final List<Channel> written;
        private ByteBuf text;
        private ByteBuf binary;

        Writer(SharedFrame frame, int expected) {
            this.frame = frame;
            this.written = new ArrayList<>(expected);
        }

        void write(ClientSession session) {
            Channel channel = session.channel();
            if (channel == null) {
                legacySend(session, frame);
                return;
            }
            if (session.queued() >= limits.outboundQueue()) {
                slow(session, "outbound queue full; reconnect and sync");
                return;
            }
            if (!channel.isActive()) {
                return; // gone: the close handling cleans up, and a retransmission or sync covers what it missed
            }
            ByteBuf wire = buffer(channel, session);
            channel.write(wire.retainedDuplicate(), session.quietWrites());
            written.add(channel);
        }

        private ByteBuf buffer(Channel channel, ClientSession session) {
            if (session.binary()) {
                if (binary == null) {
                    binary = copy(channel, frame.wire(session, binaryFrames));
                }
                return binary;
            }
            if (text == null) {
                text = copy(channel, frame.wire(session, binaryFrames));
            }
            return text;
        }

        void finish() {
            for (int i = 0; i < written.size(); i++) {
                written.get(i).flush();
            }
            framesOut.increment(written.size());
            if (text != null) {
                text.release();
            }
            if (binary != null) {
                binary.release();
            }
        }
    }

    private static ByteBuf copy(Channel channel, byte[] wire) {
        return channel.alloc().directBuffer(wire.length, wire.length).writeBytes(wire);
    }

    /** A connection without a reachable socket (not expected with Vert.x HTTP/1.1): the websockets-next send. */
    private void legacySend(ClientSession session, SharedFrame frame) {
        var sending = session.binary()
                ? session.connection().sendBinary(binaryFrames.encode(frame.text()))
                : session.connection().sendText(frame.text());
        sending.subscribe().with(ok -> { }, failure -> LOG.debugf("write to %s failed: %s", session.id(), failure.getMessage()));
    }

    /** Sessions of one event loop, split from a fan-out's targets. */
    private static final class LoopBatch {
        final EventLoop loop;
        final List<ClientSession> sessions = new ArrayList<>();

        LoopBatch(EventLoop loop) {
            this.loop = loop;
        }

        void run(Runnable task) {
            onLoop(loop, task);
        }

        /** A node has a handful of event loops: a linear search beats a map. */
        static List<LoopBatch> split(Iterable<ClientSession> targets) {
            List<LoopBatch> batches = new ArrayList<>(4);
            for (ClientSession session : targets) {
                EventLoop loop = session.loop();
                LoopBatch batch = null;
                for (int i = 0; i < batches.size(); i++) {
                    if (batches.get(i).loop == loop) {
                        batch = batches.get(i);
                        break;
                    }
                }
                if (batch == null) {
                    batch = new LoopBatch(loop);
                    batches.add(batch);
                }
                batch.sessions.add(session);
            }
            return batches;
        }
    }
}

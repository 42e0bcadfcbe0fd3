package io.parley.common.thread;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * A background loop on its own platform (daemon) thread: for blocking work (Redis, JDBC) that must never run on
 * the event loop. It runs a {@link Round} again and again; after a round that left no work waiting it pauses
 * {@code idle}, and after a round that failed it backs off (100 ms, doubling up to {@code maxBackoff}), logging a
 * warning each time; a successful round resets the back-off. One failed round never ends the loop.
 *
 * <p>{@link #wake()} cuts the current (or the next) pause short: new work is due. {@link #stop(Duration)} ends
 * the loop after its current round (a pause ends at once) and waits for the thread up to a timeout; a round that
 * wants to stop early between items checks {@link #running()}. A stop is never an interrupt: a blocking
 * call in hand (a JDBC transaction) finishes; the owner may {@link #interrupt()} after a timed-out stop.
 */
public final class BackgroundLoop {

    /** One round of work. */
    @FunctionalInterface
    public interface Round {
        /** Does one round; returns {@code true} if work is left waiting, so the next round starts without a pause. */
        boolean run();
    }

    private static final long MIN_BACKOFF_MS = 100;

    private final String threadName;
    private final String what;
    private final Logger log;
    private final Round round;
    private Supplier<Duration> idle = () -> Duration.ZERO;
    private Duration maxBackoff = Duration.ofSeconds(5);
    private String failureNote = "";
    private Function<Throwable, String> describe = BackgroundLoop::describe;
    private Consumer<Throwable> onFailure = e -> { };

    private final AtomicBoolean woken = new AtomicBoolean();
    private volatile boolean running;
    private volatile Thread thread;

    /**
     * @param threadName the thread's name (seen in thread dumps)
     * @param what       what a round does, for the failure log: {@code "<what> round failed (…); retrying in … ms"}
     * @param log        the owner's logger, so the log keeps the owner's category
     */
    public BackgroundLoop(String threadName, String what, Logger log, Round round) {
        this.threadName = Objects.requireNonNull(threadName);
        this.what = Objects.requireNonNull(what);
        this.log = Objects.requireNonNull(log);
        this.round = Objects.requireNonNull(round);
    }

    /** The pause after a round that left no work waiting (zero: none, for a round that blocks by itself). */
    public BackgroundLoop idle(Duration pause) {
        Objects.requireNonNull(pause);
        this.idle = () -> pause;
        return this;
    }

    /** As {@link #idle(Duration)}, asked after each such round: a pause that grows while rounds keep finding nothing. */
    public BackgroundLoop idle(Supplier<Duration> pause) {
        this.idle = Objects.requireNonNull(pause);
        return this;
    }

    /** The longest back-off after failed rounds (default 5 s). */
    public BackgroundLoop maxBackoff(Duration max) {
        this.maxBackoff = Objects.requireNonNull(max);
        return this;
    }

    /** Appended to each failure's log line, e.g. what a failure leaves behind. */
    public BackgroundLoop failureNote(String note) {
        this.failureNote = Objects.requireNonNull(note);
        return this;
    }

    /** How a failure is described in the log (default: the exception's class and message). */
    public BackgroundLoop describedBy(Function<Throwable, String> describer) {
        this.describe = Objects.requireNonNull(describer);
        return this;
    }

    /** Called on the loop's thread after a failed round, before the back-off (e.g. reset state, count it). */
    public BackgroundLoop onFailure(Consumer<Throwable> handler) {
        this.onFailure = Objects.requireNonNull(handler);
        return this;
    }

    /** Starts the thread (once). */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException(threadName + " is already started");
        }
        running = true;
        Thread loop = new Thread(this::loop, threadName);
        loop.setDaemon(true);
        thread = loop;
        loop.start();
    }

    /** Whether the loop should go on; a round checks it between items so a stop is not held up. */
    public boolean running() {
        return running;
    }

    /** Ends a pause now (or the next one, if the loop is in a round): work is due. */
    public void wake() {
        woken.set(true);
        Thread loop = thread;
        if (loop != null) {
            LockSupport.unpark(loop);
        }
    }

    /**
     * Stops the loop after its current round and waits up to {@code timeout} for the thread to end. Returns whether
     * it ended ({@code false} also if it was never started, or if the caller was interrupted while waiting — its
     * interrupt flag is then set again).
     */
    public boolean stop(Duration timeout) {
        running = false;
        Thread loop = thread;
        if (loop == null) {
            return false;
        }
        LockSupport.unpark(loop);
        try {
            loop.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return !loop.isAlive();
    }

    /** Whether the loop's thread is alive (started and not yet ended). */
    public boolean alive() {
        Thread loop = thread;
        return loop != null && loop.isAlive();
    }

    /** Interrupts the loop's thread (after a {@link #stop} that timed out, to cut a blocking call short). */
    public void interrupt() {
        Thread loop = thread;
        if (loop != null) {
            loop.interrupt();
        }
    }

    private void loop() {
        long backoffMs = 0;
        while (running) {
            try {
                boolean more = round.run();
                backoffMs = 0;
                if (!more) {
                    pause(idle.get().toNanos());
                }
            } catch (RuntimeException | Error e) {
                backoffMs = Math.min(maxBackoff.toMillis(), Math.max(MIN_BACKOFF_MS, backoffMs * 2));
                try {
                    onFailure.accept(e);
                } catch (RuntimeException handlerFailure) {
                    e.addSuppressed(handlerFailure);
                }
                log.warnf("%s round failed (%s); retrying in %d ms%s", what, describe.apply(e), backoffMs, failureNote);
                pause(TimeUnit.MILLISECONDS.toNanos(backoffMs));
            }
        }
    }

    /** Parks until the time is up, the loop is stopped or woken; a spurious unpark does not end it early. */
    private void pause(long nanos) {
        long deadline = System.nanoTime() + nanos;
        long left;
        while (running && !woken.getAndSet(false) && (left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, left);
        }
    }

    /** The default failure description: class and message. */
    public static String describe(Throwable e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}

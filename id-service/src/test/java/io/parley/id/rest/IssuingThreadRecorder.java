package io.parley.id.rest;

import io.vertx.core.Context;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Test-only response filter: while {@link #recording} is on, notes for every {@code GET /api/v1/ids} answer the
 * thread it was produced on. A response filter runs where the resource method's result arrived — on the event
 * loop for a {@code Uni} that completes at once, on a worker thread for a blocking method or after a hop.
 */
public class IssuingThreadRecorder {

    /** One answer: the thread's name and whether it is a Vert.x event loop. */
    public record Answer(String thread, boolean eventLoop) {
    }

    static volatile boolean recording;
    static final Queue<Answer> ANSWERS = new ConcurrentLinkedQueue<>();

    @ServerResponseFilter
    public void record(ContainerRequestContext request) {
        if (recording && request.getUriInfo().getPath().equals("/api/v1/ids")) {
            ANSWERS.add(new Answer(Thread.currentThread().getName(), Context.isOnEventLoopThread()));
        }
    }
}

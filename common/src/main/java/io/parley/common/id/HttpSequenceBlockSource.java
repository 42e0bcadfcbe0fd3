package io.parley.common.id;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;

/**
 * Leases sequence blocks from id-service ({@code POST /api/v1/sequence-blocks}) — the client other services
 * use to allocate 34-character ids locally. Non-blocking: safe to call from the event loop.
 */
public final class HttpSequenceBlockSource implements SequenceBlockSource {

    static final String PATH = "/api/v1/sequence-blocks";

    private final WebClient client;
    private final String host;
    private final int port;

    public HttpSequenceBlockSource(WebClient client, URI idServiceBase) {
        this.client = client;
        this.host = idServiceBase.getHost();
        this.port = idServiceBase.getPort() > 0 ? idServiceBase.getPort() : 80;
    }

    @Override
    public Uni<SequenceBlock> lease(int size) {
        return Uni.createFrom().completionStage(() -> client.post(port, host, PATH)
                        .sendJsonObject(new JsonObject().put("size", size))
                        .toCompletionStage())
                .map(response -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("id-service refused a block lease: HTTP "
                                + response.statusCode() + " " + response.bodyAsString());
                    }
                    JsonObject body = response.bodyAsJsonObject();
                    return new SequenceBlock(body.getLong("start"), body.getLong("end"));
                });
    }
}

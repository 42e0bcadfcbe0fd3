package io.parley.id.rest;

import io.parley.common.id.Id34;
import io.parley.id.config.IdConfig;
import io.parley.id.service.DecodedId;
import io.parley.id.service.IdService;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * 34-character ids, and decoding of both id forms. Runs on the event loop: issuing is non-blocking (a Redis
 * call only when a new sequence block is needed), decoding is pure computation.
 */
@Path("/api/v1/ids")
@Produces(MediaType.APPLICATION_JSON)
public class IdResource {

    private final IdService ids;
    private final IdConfig config;

    public IdResource(IdService ids, IdConfig config) {
        this.ids = ids;
        this.config = config;
    }

    /** {@code count} (default 1) ids for {@code user} (default 0, "no particular user"). */
    @GET
    public Uni<IdsResponse> issue(@QueryParam("count") String count, @QueryParam("user") String user) {
        int n = (int) QueryParams.wholeNumber("count", count, 1, 1, config.maxCount());
        long u = QueryParams.wholeNumber("user", user, 0, 0, Id34.MAX_USER);
        return ids.id34(u, n).map(IdsResponse::new);
    }

    @GET
    @Path("{id}")
    @NonBlocking
    public DecodedId decode(@PathParam("id") String id) {
        return ids.decode(id);
    }
}

package io.parley.id.rest;

import io.parley.common.id.Id34;
import io.parley.common.openapi.ApiDocs;
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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * 34-character ids, and decoding of both id forms. Runs on the event loop: issuing is non-blocking (a Redis
 * call only when a new sequence block is needed), decoding is pure computation.
 */
@Tag(name = "ids", description = "34-character ids, and decoding of both id forms")
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
    @Operation(summary = "Issue 34-character ids",
            description = "yyyyMMddHHmmss (UTC) + user (10 digits, zero-padded) + sequence (10 digits, zero-padded); "
            + "unique across replicas, increasing per caller.")
    @APIResponse(responseCode = "200",
            description = "{\"ids\":[...]}: count (1-10,000, default 1) ids for user (default 0)")
    @APIResponse(responseCode = "400", description = "`INVALID_INPUT`: count or user is not a whole number in range")
    @APIResponse(responseCode = "503", description = ApiDocs.UNAVAILABLE)
    @GET
    public Uni<IdsResponse> issue(@QueryParam("count") String count, @QueryParam("user") String user) {
        int n = (int) QueryParams.wholeNumber("count", count, 1, 1, config.maxCount());
        long u = QueryParams.wholeNumber("user", user, 0, 0, Id34.MAX_USER);
        return ids.id34(u, n).map(IdsResponse::new);
    }

    @Operation(summary = "Decode an id (either form)")
    @APIResponse(responseCode = "200",
            description = "{\"type\":\"id34\",\"time\",\"user\",\"sequence\"} or {\"type\":\"snowflake\","
            + "\"timestamp\",\"worker\",\"sequence\"}")
    @APIResponse(responseCode = "400", description = "`INVALID_ID`: neither a 34-character id nor a Snowflake")
    @GET
    @Path("{id}")
    @NonBlocking
    public DecodedId decode(@PathParam("id") String id) {
        return ids.decode(id);
    }
}

package io.parley.id.rest;

import io.parley.common.error.ApiException;
import io.parley.common.openapi.ApiDocs;
import io.parley.id.config.IdConfig;
import io.parley.id.service.IdService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Leases blocks of the global sequence to services that allocate 34-character ids locally
 * ({@code io.parley.common.id.HttpSequenceBlockSource}). Non-blocking: one Redis {@code INCRBY}, on the event loop.
 */
@Tag(name = "sequence-blocks", description = "Blocks of the global sequence for local id allocation")
@Path("/api/v1/sequence-blocks")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class SequenceBlockResource {

    private final IdService ids;
    private final IdConfig config;

    public SequenceBlockResource(IdService ids, IdConfig config) {
        this.ids = ids;
        this.config = config;
    }

    @Operation(summary = "Lease a block of the global sequence",
            description = "Blocks never overlap and each starts above the last; the caller allocates from it locally.")
    @APIResponse(responseCode = "200", description = "{\"start\",\"end\"} (end exclusive)")
    @APIResponse(responseCode = "400",
            description = ApiDocs.MALFORMED_JSON + "; `INVALID_INPUT`: size missing or out of range")
    @APIResponse(responseCode = "503", description = ApiDocs.UNAVAILABLE)
    @POST
    public Uni<SequenceBlockResponse> lease(SequenceBlockRequest request) {
        if (request == null || request.size() == null) {
            throw ApiException.invalid("size is required: {\"size\": N}, N from 1 to " + config.maxBlockSize());
        }
        long size = request.size();
        if (size < 1 || size > config.maxBlockSize()) {
            throw QueryParams.outOfRange("size", 1, config.maxBlockSize());
        }
        return ids.leaseBlock((int) size).map(block -> new SequenceBlockResponse(block.start(), block.end()));
    }
}

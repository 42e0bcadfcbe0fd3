package io.parley.id.rest;

import io.parley.common.openapi.ApiDocs;
import io.parley.id.config.IdConfig;
import io.parley.id.service.IdService;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Snowflake ids. Runs on a worker thread: the generator is shared under one lock and may wait for the next
 * millisecond when a millisecond's 4,096 ids are used up.
 */
@Tag(name = "snowflakes", description = "64-bit Snowflake ids")
@Path("/api/v1/snowflakes")
@Produces(MediaType.APPLICATION_JSON)
public class SnowflakeResource {

    private final IdService ids;
    private final IdConfig config;

    public SnowflakeResource(IdService ids, IdConfig config) {
        this.ids = ids;
        this.config = config;
    }

    /** {@code count} (default 1) Snowflakes as decimal strings; 503 {@code UNAVAILABLE} while no worker id is leased. */
    @Operation(summary = "Issue Snowflakes",
            description = "41 bits ms since 2024-01-01T00:00:00Z, 10 bits worker, 12 bits sequence; as decimal "
            + "strings.")
    @APIResponse(responseCode = "200", description = "{\"ids\":[\"...\"]}: count (1-10,000, default 1) Snowflakes")
    @APIResponse(responseCode = "400", description = "`INVALID_INPUT`: count is not a whole number in range")
    @APIResponse(responseCode = "503", description = "`UNAVAILABLE`: this replica holds no worker id lease; try again")
    @GET
    @Blocking
    public IdsResponse issue(@QueryParam("count") String count) {
        int n = (int) QueryParams.wholeNumber("count", count, 1, 1, config.maxCount());
        long[] numbers = ids.snowflakes(n);
        String[] out = new String[numbers.length];
        for (int i = 0; i < numbers.length; i++) {
            out[i] = Long.toString(numbers[i]);
        }
        return new IdsResponse(out);
    }
}

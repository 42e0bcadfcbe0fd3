package io.parley.id.rest;

import io.parley.id.config.IdConfig;
import io.parley.id.service.IdService;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * Snowflake ids. Runs on a worker thread: the generator is shared under one lock and may wait for the next
 * millisecond when a millisecond's 4,096 ids are used up.
 */
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

package io.parley.id.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.parley.common.id.Id34;
import io.parley.common.id.Id34Generator;
import io.parley.common.id.SequenceBlock;
import io.parley.id.repository.RedisSequenceBlockSource;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.ZoneOffset;
import org.jboss.logging.Logger;

/**
 * Issues and decodes ids. Inputs arrive validated (see the REST layer); Redis failures become 503
 * {@code UNAVAILABLE}.
 * <ul>
 *   <li>34-character ids and sequence blocks: non-blocking ({@code Uni}), one Redis {@code INCRBY} per leased
 *       block, safe on the event loop.</li>
 *   <li>Snowflakes: in memory, under the generator's lock, which may wait for the next millisecond — call from
 *       a worker thread.</li>
 * </ul>
 */
@ApplicationScoped
public class IdService {

    private static final Logger LOG = Logger.getLogger(IdService.class);

    private final Id34Generator id34;
    private final SnowflakeGenerator snowflakes;
    private final RedisSequenceBlockSource blocks;
    private final Counter id34Issued;
    private final Counter snowflakesIssued;
    private final Counter blocksLeased;
    private final Counter blockNumbersLeased;

    public IdService(Id34Generator id34, SnowflakeGenerator snowflakes, RedisSequenceBlockSource blocks,
                     WorkerLeaseKeeper keeper, MeterRegistry registry) {
        this.id34 = id34;
        this.snowflakes = snowflakes;
        this.blocks = blocks;
        this.id34Issued = issued(registry, "id34");
        this.snowflakesIssued = issued(registry, "snowflake");
        this.blocksLeased = Counter.builder("parley.id.sequence.blocks.leased")
                .description("Sequence blocks leased to other services").register(registry);
        this.blockNumbersLeased = Counter.builder("parley.id.sequence.numbers.leased")
                .description("Sequence numbers leased to other services in blocks").register(registry);
        Gauge.builder("parley.id.snowflake.worker", snowflakes, SnowflakeGenerator::workerId)
                .description("The leased Snowflake worker id, -1 while none is leased").register(registry);
        FunctionCounter.builder("parley.id.snowflake.clock.steps.back", snowflakes,
                        SnowflakeGenerator::clockStepsBack)
                .description("Times the clock was seen behind the last issued Snowflake timestamp").register(registry);
        FunctionCounter.builder("parley.id.snowflake.leases.lost", keeper, WorkerLeaseKeeper::leasesLost)
                .description("Times a held worker-id lease turned out to be lost").register(registry);
        FunctionCounter.builder("parley.id.snowflake.leases.fenced", keeper, WorkerLeaseKeeper::leasesFenced)
                .description("Worker ids leased without a high-water mark, behind the time fence").register(registry);
        FunctionCounter.builder("parley.id.sequence.reseeds", blocks, RedisSequenceBlockSource::reseeds)
                .description("Times the global sequence counter was missing and re-seeded above the time fence")
                .register(registry);
    }

    private static Counter issued(MeterRegistry registry, String kind) {
        return Counter.builder("parley.ids.issued").tag("kind", kind)
                .description("Ids issued by this instance").register(registry);
    }

    /** {@code count} 34-character ids for {@code user}, increasing. */
    public Uni<String[]> id34(long user, int count) {
        return id34.next(user, count)
                .invoke(ids -> id34Issued.increment(ids.length))
                .onFailure(e -> !(e instanceof ApiException)).transform(IdService::redisUnavailable);
    }

    /** Leases {@code size} numbers of the global sequence for a caller that allocates locally. */
    public Uni<SequenceBlock> leaseBlock(int size) {
        return blocks.lease(size)
                .invoke(block -> {
                    blocksLeased.increment();
                    blockNumbersLeased.increment(block.size());
                })
                .onFailure(e -> !(e instanceof ApiException)).transform(IdService::redisUnavailable);
    }

    /** {@code count} Snowflake ids, increasing. Blocking (may wait for the next millisecond). */
    public long[] snowflakes(int count) {
        long[] ids = snowflakes.next(count);
        snowflakesIssued.increment(ids.length);
        return ids;
    }

    /** The parts of a 34-character id or a Snowflake; 400 {@code INVALID_ID} for anything else. */
    public DecodedId decode(String text) {
        if (text != null && text.length() == Id34.LENGTH) {
            Id34.Parts parts = Id34.parse(text);
            if (parts != null) {
                return new DecodedId.Id34Parts(parts.time().toInstant(ZoneOffset.UTC).toString(), parts.user(),
                        parts.sequence());
            }
        } else if (text != null && !text.isEmpty() && text.length() <= 19 && allDigits(text)) {
            long id = parseLong(text);
            if (id > 0) {
                Snowflake.Parts parts = Snowflake.decode(id);
                return new DecodedId.SnowflakeParts(parts.timestamp(), parts.worker(), parts.sequence());
            }
        }
        throw new ApiException(ErrorCode.INVALID_ID,
                "not a Parley id: expected 34 digits (yyyyMMddHHmmss + user + sequence) or a positive 64-bit "
                        + "Snowflake in decimal");
    }

    /** The value of a string of 1..19 digits, or -1 when it does not fit in a long. */
    private static long parseLong(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException tooLarge) {
            return -1;
        }
    }

    private static boolean allDigits(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static Throwable redisUnavailable(Throwable e) {
        LOG.warnf("cannot lease a sequence block from Redis: %s", e.toString());
        return new ApiException(ErrorCode.UNAVAILABLE, "the id store is unreachable; retry later", 1);
    }
}

package io.parley.id.health;

import io.parley.id.service.SnowflakeGenerator;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while Snowflakes can be issued: a worker id is leased, its reservation has not run out, and the
 * clock is not further behind than tolerated. Reads in-memory state only (no Redis call).
 */
@Readiness
@ApplicationScoped
public class WorkerLeaseHealthCheck implements HealthCheck {

    private final SnowflakeGenerator generator;

    public WorkerLeaseHealthCheck(SnowflakeGenerator generator) {
        this.generator = generator;
    }

    @Override
    public HealthCheckResponse call() {
        String reason = generator.unavailableReason();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("snowflake-worker-lease")
                .withData("worker", generator.workerId());
        return reason == null ? response.up().build() : response.down().withData("reason", reason).build();
    }
}

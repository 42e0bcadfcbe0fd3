package io.parley.benchmark;

import io.parley.common.token.AccessTokenIssuer;
import io.parley.common.token.AccessTokenVerifier;
import io.parley.common.token.TokenClaims;
import io.parley.common.token.TokenKey;
import io.parley.common.token.TokenRejectedException;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.SecretKey;

/**
 * Cost of verifying one access token locally (decrypt A256KW/A256GCM + parse + expiry check) on one
 * thread, over 10,000 distinct tokens so nothing is served from a cache: what a reconnect storm costs.
 */
final class TokenVerifyBenchmark implements Benchmark {

    private static final int DISTINCT_TOKENS = 10_000;

    @Override
    public String name() {
        return "tokens";
    }

    @Override
    public void run(int seconds) throws TokenRejectedException {
        byte[] raw = new byte[32];
        ThreadLocalRandom.current().nextBytes(raw);
        SecretKey key = TokenKey.fromBase64(Base64.getEncoder().encodeToString(raw));
        AccessTokenIssuer issuer = new AccessTokenIssuer(key);
        AccessTokenVerifier verifier = new AccessTokenVerifier(key);
        long now = System.currentTimeMillis() / 1000;
        String[] tokens = new String[DISTINCT_TOKENS];
        long issueStart = System.nanoTime();
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = issuer.issue(TokenClaims.forUser(1_000_000L + i, "device-" + i, "session-" + i, now, now + 900));
        }
        double issueMicros = (System.nanoTime() - issueStart) / 1000.0 / tokens.length;

        long sink = 0;
        // warm-up: let the JIT compile the path
        long warmEnd = System.nanoTime() + Math.max(1, seconds / 2) * 1_000_000_000L;
        int i = 0;
        while (System.nanoTime() < warmEnd) {
            sink += verifier.verify(tokens[i++ % tokens.length]).userId();
        }
        long count = 0;
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            for (int k = 0; k < 1000; k++) {
                sink += verifier.verify(tokens[i++ % tokens.length]).userId();
            }
            count += 1000;
        }
        double micros = (System.nanoTime() - start) / 1000.0 / count;
        Benchmark.report("token verify, one thread (µs per token)", micros, "µs", "<= 20 µs");
        Benchmark.report("token verifications per second, one thread", 1_000_000.0 / micros, "/s", null);
        Benchmark.report("token issue, one thread (µs per token)", issueMicros, "µs", null);
        Benchmark.report("token length (characters)", tokens[0].length(), "chars", null);
        if (sink == 42) {
            System.out.println(); // keeps the JIT from discarding the work
        }
    }
}

package io.parley.chat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.testsupport.ServiceProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A rolling deploy loses nothing: checking clients keep sending 1:1 and group messages while one node is stopped
 * with SIGTERM (drain: 4000, spread over the window) and, later, another node sheds half its connections (4006).
 * The clients reconnect to the nodes that are left, sync and resend what had no {@code sent}; at the end every
 * acknowledged message reached every recipient, and no message was stored twice.
 */
class DrainIT {

    private static final int USERS = 6;

    @Test
    void sigtermDrainAndSheddingShouldLoseNothing() throws Exception {
        Map<String, String> env = new HashMap<>(Platform.get().chatEnv());
        env.put("PARLEY_CHAT_DRAIN_WINDOW", "3S");
        env.put("PARLEY_CHAT_ADMIN_KEY", "drain-admin-key");
        env.put("PARLEY_CHAT_LIMITS_FRAMES_PER_SECOND", "5000"); // sends plus an ack per message
        env.put("PARLEY_CHAT_LIMITS_FRAME_BURST", "5000");
        ServiceProcess a = ServiceProcess.start("drain-a", env);
        ServiceProcess b = ServiceProcess.start("drain-b", env);
        ServiceProcess c = null;
        List<String> live = new CopyOnWriteArrayList<>(List.of(a.baseUrl(), b.baseUrl()));
        List<Platform.User> users = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            users.add(Platform.get().newUser("phone"));
        }
        JsonNode group = Platform.post(b.baseUrl() + "/api/v1/groups", Map.of("name", "drain",
                "members", users.subList(1, USERS).stream().map(Platform.User::id).toList()), users.get(0).token(), 201);
        String gid = group.get("id").asText();

        List<CheckingClient> clients = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            String first = i % 2 == 0 ? a.baseUrl() : b.baseUrl(); // half on the node that will be stopped
            AtomicBoolean placed = new AtomicBoolean();
            clients.add(new CheckingClient(users.get(i), () -> placed.getAndSet(true)
                    ? live.get(ThreadLocalRandom.current().nextInt(live.size())) : first));
        }
        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger failures = new AtomicInteger();
        List<Thread> drivers = new ArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        for (int k = 0; k < USERS; k++) {
            int me = k;
            CheckingClient client = clients.get(k);
            long peer = users.get((k + 1) % USERS).id();
            Thread driver = new Thread(() -> {
                int n = 0;
                try {
                    while (running.get()) {
                        client.step();
                        if (sending.get() && client.unansweredCount() < 5) {
                            client.send(RingTraffic.message(me, n, peer, gid));
                            n++;
                        }
                        Thread.sleep(15);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                    failures.incrementAndGet();
                }
            }, "checking-client-" + k);
            driver.start();
            drivers.add(driver);
        }
        try {
            Thread.sleep(3000);
            // 1. rolling deploy: node a gets SIGTERM mid-stream
            live.remove(a.baseUrl());
            a.close();
            Thread.sleep(2000);
            // 2. a new node comes up; b sheds half its connections towards it
            c = ServiceProcess.start("drain-c", env);
            live.add(c.baseUrl());
            JsonNode shed = postAdmin(b.baseUrl() + "/api/v1/admin/node/shed", "{\"fraction\":0.5,\"windowSeconds\":1}");
            assertTrue(shed.get("shedding").asInt() >= 1, "b sheds some of its connections: " + shed);
            Thread.sleep(3000);
            sending.set(false);
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                    !errors.isEmpty() || clients.stream().allMatch(x -> x.unansweredCount() == 0));
            assertEquals(List.of(), errors);

            // every acknowledged message reaches every recipient
            Map<String, List<CheckingClient>> expected = RingTraffic.expectedDeliveries(clients);
            try {
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                        !errors.isEmpty() || expected.entrySet().stream().allMatch(e -> e.getValue().stream()
                                .allMatch(r -> r.received.containsKey(e.getKey()))));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                List<String> missing = new ArrayList<>();
                expected.forEach((id, to) -> to.stream().filter(r -> !r.received.containsKey(id))
                        .forEach(r -> missing.add(id + "->" + r.userId())));
                throw new AssertionError(missing.size() + " deliveries missing, e.g. "
                        + missing.subList(0, Math.min(10, missing.size())), e);
            }
            assertEquals(List.of(), errors);
            int deliveries = expected.values().stream().mapToInt(List::size).sum();
            int duplicates = 0;
            for (CheckingClient client : clients) {
                // one body, one id: a resend after a reconnect was de-duplicated, never stored twice
                Map<String, String> idByBody = new HashMap<>();
                client.bodies.forEach((id, body) -> {
                    String other = idByBody.putIfAbsent(body, id);
                    assertTrue(other == null || other.equals(id), body + " stored twice: " + other + " and " + id);
                });
                duplicates += client.received.values().stream().mapToInt(x -> x - 1).sum();
            }
            int drained = (int) clients.stream().filter(x -> x.closeCodes.contains(4000)).count();
            int shedClients = (int) clients.stream().filter(x -> x.closeCodes.contains(4006)).count();
            System.out.printf("drain test: %d messages acknowledged, %d deliveries expected and made, %d repeated "
                            + "frames dropped by id, %d clients drained (4000), %d shed (4006), %d reconnects%n",
                    expected.size(), deliveries, duplicates, drained, shedClients,
                    clients.stream().mapToInt(x -> x.reconnects).sum());
            java.util.Set<Integer> codes = new java.util.TreeSet<>();
            clients.forEach(x -> codes.addAll(x.closeCodes));
            System.out.println("drain test: close codes seen " + codes);
            assertTrue(java.util.Set.of(4000, 4006).containsAll(codes), "only drain and shed closed clients: " + codes);
            assertEquals(USERS / 2, drained, "every client of the stopped node was told 4000");
            assertTrue(shedClients >= 1, "shed clients were told 4006");
            assertTrue(expected.size() > 100, "traffic kept flowing: " + expected.size());
        } finally {
            running.set(false);
            for (Thread driver : drivers) {
                driver.join(5000);
            }
            clients.forEach(CheckingClient::close);
            b.close();
            if (c != null) {
                c.close();
            }
        }
    }

    private static JsonNode postAdmin(String url, String body) throws Exception {
        var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                        .header("Content-Type", "application/json").header("X-Admin-Key", "drain-admin-key")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(202, response.statusCode(), response.body());
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
    }
}

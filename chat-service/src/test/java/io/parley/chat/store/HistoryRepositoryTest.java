package io.parley.chat.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;

import io.parley.chat.protocol.ChatMessage;
import io.parley.chat.protocol.ConversationId;
import io.parley.chat.support.IdServiceTestResource;
import io.parley.chat.support.ShortPersistenceProfile;
import io.parley.chat.support.TestUsers;
import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(ShortPersistenceProfile.class)
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_chat"))
@QuarkusTestResource(IdServiceTestResource.class)
class HistoryRepositoryTest {

    @Inject
    HistoryRepository history;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void shouldInsertABatchOnceEvenWhenItIsReplayed() {
        long a = TestUsers.newUserId();
        long b = TestUsers.newUserId();
        String cid = ConversationId.direct(a, b).value();
        List<ChatMessage> batch = messages(cid, a, b, 1, 3);

        assertEquals(3, history.insertBatch(batch));
        assertEquals(0, history.insertBatch(batch), "a replayed batch writes nothing");
        // the same id under another seq, and another id under a stored seq: both refused
        ChatMessage sameId = new ChatMessage(batch.get(0).id(), cid, 4, a, b, null, "dup", "text", 1L, null, "x");
        ChatMessage sameSeq = new ChatMessage(TestUsers.messageId(a), cid, 2, a, b, null, "dup", "text", 1L, null, "y");
        assertEquals(0, history.insertBatch(List.of(sameId, sameSeq)));
        assertEquals(3, history.countRange(cid, 1, 100));
        assertEquals("body 2", history.range(cid, 1, 1).get(0).body());
    }

    @Test
    void shouldReadRangesAscendingAndPagesDescending() {
        long a = TestUsers.newUserId();
        String gid = Long.toString(TestUsers.newUserId());
        String cid = ConversationId.group(gid).value();
        List<ChatMessage> batch = new ArrayList<>();
        for (int seq = 1; seq <= 10; seq++) {
            batch.add(new ChatMessage(TestUsers.messageId(a), cid, seq, a, 0, gid, "g" + seq, seq == 10 ? "edit" : "text",
                    1000L + seq, seq == 10 ? batch.get(0).id() : null, "c" + seq));
        }
        history.insertBatch(batch);

        assertEquals(List.of(4L, 5L, 6L), history.range(cid, 3, 3).stream().map(ChatMessage::seq).toList());
        assertEquals(List.of(7L, 6L, 5L), history.pageBefore(cid, 8, 3).stream().map(ChatMessage::seq).toList());
        assertEquals(List.of(2L, 1L), history.pageBefore(cid, 3, 50).stream().map(ChatMessage::seq).toList());
        ChatMessage edit = history.pageBefore(cid, Long.MAX_VALUE, 1).get(0);
        assertEquals(gid, edit.toGroup());
        assertEquals(0, edit.toUser());
        assertEquals("edit", edit.kind());
        assertEquals(batch.get(0).id(), edit.target());
        assertEquals(1010L, edit.ts());
        assertNull(history.range(cid, 0, 1).get(0).target());
        assertEquals(10, history.countRange(cid, 1, 10));
        assertEquals(9, history.countRange(cid, 2, 12));
    }

    @Test
    void shouldInsertBatchesOfAnySizeWithEveryValueIntact() {
        long a = TestUsers.newUserId();
        long b = TestUsers.newUserId();
        String cid = ConversationId.direct(a, b).value();
        // 1,100 rows: chunks of 512, 512, 64, 8 and 4; bodies a text-built statement would have to escape
        List<ChatMessage> batch = new ArrayList<>();
        for (int seq = 1; seq <= 1100; seq++) {
            batch.add(new ChatMessage(TestUsers.messageId(a), cid, seq, a, b, null,
                    "it's \\ \"" + seq + "\" \u00e9\u4e2d\ud83d\ude00 ;--", "text", 5000L + seq, null, "cmid-" + seq));
        }

        assertEquals(1100, history.insertBatch(batch));
        assertEquals(0, history.insertBatch(batch), "a replayed batch writes nothing");
        assertEquals(1100, history.countRange(cid, 1, 1100));
        List<ChatMessage> stored = history.range(cid, 0, 1100);
        assertEquals(batch.stream().map(ChatMessage::body).toList(), stored.stream().map(ChatMessage::body).toList());
        assertEquals(batch.get(1099).id(), stored.get(1099).id());
        assertEquals(6100L, stored.get(1099).ts());
    }

    @Test
    void shouldPrepareTheInsertOnTheServerOnceAndReuseIt() throws Exception {
        long a = TestUsers.newUserId();
        long b = TestUsers.newUserId();
        String cid = ConversationId.direct(a, b).value();
        int batches = 20;
        history.insertBatch(messages(cid, a, b, 1, 8)); // each pooled connection prepares it once
        long prepared = serverStatus("Com_stmt_prepare");
        long executed = serverStatus("Com_stmt_execute");
        for (int i = 1; i <= batches; i++) {
            assertEquals(8, history.insertBatch(messages(cid, a, b, 8 * i + 1, 8 * i + 8)));
        }

        assertTrue(serverStatus("Com_stmt_execute") - executed >= batches, "executed as server-side prepared statements");
        assertTrue(serverStatus("Com_stmt_prepare") - prepared < batches / 2,
                "prepared once per connection, then taken from the driver's cache");
        assertTrue(Integer.parseInt(ConfigProvider.getConfig().getValue(
                        "quarkus.datasource.jdbc.additional-jdbc-properties.prepStmtCacheSqlLimit", String.class))
                > HistoryRepository.LONGEST_INSERT_CHARS, "the driver caches even the 512-row statement");
    }

    /** A server-wide counter (other statements may run meanwhile: the checks above allow for them). */
    private long serverStatus(String name) throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SHOW GLOBAL STATUS LIKE '" + name + "'")) {
            rows.next();
            return rows.getLong(2);
        }
    }

    private static List<ChatMessage> messages(String cid, long from, long to, int first, int last) {
        List<ChatMessage> out = new ArrayList<>();
        for (int seq = first; seq <= last; seq++) {
            out.add(new ChatMessage(TestUsers.messageId(from), cid, seq, from, to, null, "body " + seq, "text",
                    System.currentTimeMillis(), null, "cmid-" + seq));
        }
        return out;
    }
}

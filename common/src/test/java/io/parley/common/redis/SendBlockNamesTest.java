package io.parley.common.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The send-block names auth-service writes and chat-service reads: renaming one strands running nodes of the other
 * service during a rollout, so the literal values are pinned here (auth-service's AdminResourceTest and
 * chat-service's AdminApiIT check each side against these constants).
 */
class SendBlockNamesTest {

    @Test
    void namesAndMessagesStayAsDeployed() {
        assertEquals("parley:send-blocked", SharedKeys.SEND_BLOCKED);
        assertEquals("parley:send-blocked:changes", SharedKeys.SEND_BLOCKS_CHANNEL);
        assertEquals("*", SharedKeys.SEND_BLOCKS_RELOAD);
        assertEquals("42:1", SharedKeys.sendBlockChange(42, true));
        assertEquals("42:0", SharedKeys.sendBlockChange(42, false));
    }
}

package io.parley.chat.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.parley.chat.config.FilterMode;
import io.parley.chat.protocol.FrameException;
import io.parley.common.error.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContentFilterTest {

    @Test
    void replaceModeShouldMaskListedWordsAndKeepCleanText() {
        ContentFilter filter = ContentFilter.of(FilterMode.REPLACE, List.of("darn", "heck"));
        assertEquals("what the ****, **** it", filter.chatText("what the heck, DARN it", "m1"));
        String clean = "nothing to hide";
        assertSame(clean, filter.chatText(clean, "m2"));
    }

    @Test
    void rejectModeShouldRefuseWithTheMessagesRef() {
        ContentFilter filter = ContentFilter.of(FilterMode.REJECT, List.of("darn"));
        FrameException refused = assertThrows(FrameException.class, () -> filter.chatText("oh darn", "m3"));
        assertEquals(ErrorCode.CONTENT_REJECTED, refused.code());
        assertEquals("m3", refused.ref());
        assertEquals("fine words", filter.chatText("fine words", "m4"));
    }
}

package io.parley.common.node;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NodeNameTest {

    @Test
    void aNameIsTheHostAndARandomSuffix() {
        String name = NodeName.unique();
        assertTrue(name.matches(".+-[0-9a-f]{8}"), name);
        assertTrue(name.startsWith(NodeName.host() + "-"), name);
    }

    @Test
    void eachNameIsNew() {
        assertNotEquals(NodeName.unique(), NodeName.unique());
    }

    @Test
    void theHostHoldsNoSeparatorOfAConnectionTag() {
        String host = NodeName.host();
        assertFalse(host.isBlank());
        assertFalse(host.contains(":") || host.contains(" "), host);
    }
}

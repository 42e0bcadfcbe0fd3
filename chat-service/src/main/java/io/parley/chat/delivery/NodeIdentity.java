package io.parley.chat.delivery;

import jakarta.inject.Singleton;
import java.util.UUID;

/** This node's id: tags what it publishes so it can tell its own connections apart from other nodes'. */
@Singleton // no client proxy on the per-frame path
public class NodeIdentity {

    private final String id;

    public NodeIdentity() {
        String host = System.getenv().getOrDefault("HOSTNAME", "node");
        this.id = host.replace(' ', '_').replace(':', '_') + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public String id() {
        return id;
    }

    /** How a connection is named in fan-out envelopes: {@code <node>:<connection>}. */
    public String tag(String connectionId) {
        return id + ":" + connectionId;
    }
}

package io.parley.chat.delivery;

import io.parley.common.node.NodeName;
import jakarta.inject.Singleton;

/** This node's id ({@link NodeName}, a CDI bean so it is one per node): tags what it publishes so it can tell its own connections apart from other nodes'. */
@Singleton // no client proxy on the per-frame path
public class NodeIdentity {

    private final String id;

    public NodeIdentity() {
        this.id = NodeName.unique();
    }

    public String id() {
        return id;
    }

    /** How a connection is named in fan-out envelopes: {@code <node>:<connection>}. */
    public String tag(String connectionId) {
        return id + ":" + connectionId;
    }
}

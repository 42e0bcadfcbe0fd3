package io.parley.common.node;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How a running instance names itself wherever it must be told apart from the others (fan-out tags, Redis stream
 * consumers, lease owners): {@code <host>-<8 hex>}. The host is {@code $HOSTNAME} (the pod name on Kubernetes),
 * else the machine's host name, else {@code node}; spaces and colons become {@code _} (a name is used inside
 * {@code <node>:<connection>} tags). The random suffix makes a restarted instance a new one, even on the same host.
 */
public final class NodeName {

    private NodeName() {
    }

    /** A fresh name for this instance: {@code <host>-<8 hex>}; each call gives a new suffix. */
    public static String unique() {
        byte[] random = new byte[4];
        ThreadLocalRandom.current().nextBytes(random);
        return host() + "-" + HexFormat.of().formatHex(random);
    }

    /** The host part: {@code $HOSTNAME}, else the machine's host name, else {@code node}; never blank. */
    public static String host() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = null;
            }
        }
        if (host == null || host.isBlank()) {
            host = "node";
        }
        return host.replace(' ', '_').replace(':', '_');
    }
}

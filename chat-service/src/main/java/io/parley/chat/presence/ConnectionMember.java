package io.parley.chat.presence;

import io.parley.chat.delivery.ClientSession;
import io.parley.common.redis.SharedKeys;

/**
 * A connection's member in the user's open-connections set ({@code presence:{user}:conns}): its tag and, when the
 * token names one, its device id — {@code <node>:<connection>|<did>}. The device id makes presence per device: the
 * offline relay reads which devices of an online user have a connection, so an open laptop does not silence the
 * phone. The scripts that only count members or match the node prefix ({@code presence_node_gone}) read it unchanged.
 */
final class ConnectionMember {

    private static final char SEPARATOR = SharedKeys.CONNECTION_DEVICE_SEPARATOR;

    private ConnectionMember() {
    }

    static String of(ClientSession session) {
        String device = session.claims() == null ? null : session.claims().deviceId();
        return device == null || device.isEmpty() ? session.tag() : session.tag() + SEPARATOR + device;
    }

    /** The connection tag of a member (what {@code CLOSE_CONNECTION} names). */
    static String tagOf(String member) {
        int bar = member.indexOf(SEPARATOR);
        return bar < 0 ? member : member.substring(0, bar);
    }
}

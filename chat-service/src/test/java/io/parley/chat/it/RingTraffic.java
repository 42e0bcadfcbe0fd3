package io.parley.chat.it;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The traffic the checking-client tests drive ({@link DrainIT}, {@link FaultsIT}): client {@code k}'s message
 * {@code n} ({@code clientMsgId} {@code c<k>-<n>}) goes to the group of all the users when {@code n % 4 == 3}, else
 * to the next user round the ring ({@code k + 1}). One place for the shape, so what is sent and what each test then
 * expects to be delivered cannot drift apart.
 */
final class RingTraffic {

    private RingTraffic() {
    }

    /** Client {@code sender}'s message {@code n}: to the group, or to {@code nextUser}. */
    static ObjectNode message(int sender, int n, long nextUser, String groupId) {
        ObjectNode frame = ChatClient.frame("send").put("clientMsgId", "c" + sender + "-" + n)
                .put("body", "u" + sender + "-" + n);
        if (n % 4 == 3) {
            frame.putObject("to").put("group", groupId);
        } else {
            frame.putObject("to").put("user", nextUser);
        }
        return frame;
    }

    /** Message id → the clients that must receive it, for every send of {@code clients} that was answered. */
    static Map<String, List<CheckingClient>> expectedDeliveries(List<CheckingClient> clients) {
        int users = clients.size();
        Map<String, List<CheckingClient>> expected = new HashMap<>();
        for (int k = 0; k < users; k++) {
            for (Map.Entry<String, String> sent : clients.get(k).answered.entrySet()) {
                int n = Integer.parseInt(sent.getKey().substring(sent.getKey().indexOf('-') + 1));
                List<CheckingClient> to = new ArrayList<>();
                if (n % 4 == 3) {
                    for (int r = 0; r < users; r++) {
                        if (r != k) {
                            to.add(clients.get(r));
                        }
                    }
                } else {
                    to.add(clients.get((k + 1) % users));
                }
                expected.put(sent.getValue(), to);
            }
        }
        return expected;
    }
}

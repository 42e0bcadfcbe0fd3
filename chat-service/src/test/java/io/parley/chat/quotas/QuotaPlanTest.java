package io.parley.chat.quotas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The per-app override format: what an operator writes in PARLEY_CHAT_QUOTAS_OVERRIDES. */
class QuotaPlanTest {

    private static final QuotaLimits DEFAULTS = new QuotaLimits(10, 20, 30, 40);

    @Test
    void anOverrideShouldReplaceOnlyTheQuotasItNames() {
        Map<String, QuotaLimits> apps = QuotaPlan.parse(Optional.of(
                " big-tenant:connections=100000, publications-per-second=5000 ; trial:notifications-per-second=0;"),
                DEFAULTS);
        assertEquals(new QuotaLimits(100000, 20, 5000, 40), apps.get("big-tenant"));
        assertEquals(new QuotaLimits(10, 20, 30, 0), apps.get("trial"), "0 lifts a quota for that app");
        assertEquals(2, apps.size());
    }

    @Test
    void noOverridesShouldLeaveEveryAppOnTheDefaults() {
        assertTrue(QuotaPlan.parse(Optional.empty(), DEFAULTS).isEmpty());
        assertTrue(QuotaPlan.parse(Optional.of("  "), DEFAULTS).isEmpty());
    }

    @Test
    void aMalformedOverrideShouldStopTheNodeNamingWhatIsWrong() {
        for (String bad : new String[] {"connections=5", "app:conections=5", "app:connections=five",
                "app:connections=-1", "app:connections", "bad app:connections=1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> QuotaPlan.parse(Optional.of(bad), DEFAULTS), bad);
            assertTrue(e.getMessage().startsWith("parley.chat.quotas: "), e.getMessage());
        }
    }
}

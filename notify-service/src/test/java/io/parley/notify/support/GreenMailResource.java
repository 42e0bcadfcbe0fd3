package io.parley.notify.support;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.parley.testsupport.FreePort;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** An in-process SMTP server (GreenMail) the service's mailer points at; one per test JVM. */
public class GreenMailResource implements QuarkusTestResourceLifecycleManager {

    private static GreenMail shared;

    public static synchronized GreenMail mail() {
        if (shared == null) {
            shared = new GreenMail(new ServerSetup(FreePort.find(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
            shared.start();
        }
        return shared;
    }

    @Override
    public Map<String, String> start() {
        return Map.of("quarkus.mailer.host", "127.0.0.1",
                "quarkus.mailer.port", Integer.toString(mail().getSmtp().getPort()),
                "quarkus.mailer.mock", "false",
                // plain SMTP, one connection per mail. An SMTP dialogue with GreenMail now and then stalls until its 30 s
                // socket timeout (cause not found); the service's mail timeout (3 s in tests) and retries cover it.
                "quarkus.mailer.start-tls", "DISABLED",
                "quarkus.mailer.keep-alive", "false");
    }

    @Override
    public void stop() {
        // shared across the test classes of this JVM
    }
}

package io.parley.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The whole platform as a user sees it — auth-service, id-service, chat-service and notify-service started from their
 * packaged jars on free ports, on the shared test Redis and MariaDB — for tests that live outside the services
 * (the Java SDK's, the browser test). One per test JVM; the processes are stopped when the JVM exits.
 *
 * <p>The jars come from {@code <repository>/<service>/target/quarkus-app}: the reactor packages the services before
 * a module that depends on them (declare them as {@code pom}-type or {@code provided} dependencies to get the order).
 */
public final class LocalPlatform {

    /** The AES key all services share for access tokens (a test key; production takes it from a Secret). */
    public static final String TOKEN_KEY = "3QjGJ3j2eF7ojUUESyDbaYRiCXgTy3rAEEyS8V2oenY=";
    /** The operator key for creating apps ({@code X-Admin-Key}) and chat-service's admin endpoint. */
    public static final String ADMIN_KEY = "test-admin-key";
    /** notify-service's VAPID key pair (a test pair; production takes it from a Secret): Web Push is on. */
    public static final String VAPID_PUBLIC_KEY =
            "BLVa5dYgzQ7o_4v_OEasMb4FxEv0dSzAOz3_DmMBgELXRCe-Odl4aF8nKSCa5mh2EMBZ3FccrVMpAkobkqD1wpQ";
    static final String VAPID_PRIVATE_KEY = "tadqywiL9mtG5oOFZZOBxD_bGEPaplX-kqBjRaRLAu0";
    /** Any loopback origin: the chat page, served by chat-service on a free port, calls auth- and notify-service. */
    private static final String LOOPBACK_ORIGINS = "/https?://(localhost|127\\.0\\.0\\.1):[0-9]+/";

    private static LocalPlatform instance;

    private final ServiceProcess auth;
    private final ServiceProcess ids;
    private final ServiceProcess chat;
    private final ServiceProcess notify;

    private LocalPlatform(Path repository) {
        RedisServer redis = RedisServer.shared();
        MariaDbServer db = MariaDbServer.shared();
        Map<String, String> common = new HashMap<>();
        common.put("QUARKUS_REDIS_HOSTS", redis.uri());
        common.put("PARLEY_TOKEN_KEY", TOKEN_KEY);
        common.put("QUARKUS_DATASOURCE_USERNAME", MariaDbServer.USER);
        common.put("QUARKUS_DATASOURCE_PASSWORD", MariaDbServer.PASSWORD);

        Map<String, String> authEnv = new HashMap<>(common);
        authEnv.put("QUARKUS_DATASOURCE_JDBC_URL", db.createDatabase("parley_auth"));
        authEnv.put("PARLEY_AUTH_ADMIN_KEY", ADMIN_KEY);
        authEnv.put("PARLEY_AUTH_BCRYPT_COST", "4");
        // every test signs in from 127.0.0.1
        authEnv.put("PARLEY_AUTH_LOGIN_PER_ADDRESS", "100000");
        authEnv.put("PARLEY_AUTH_LOGIN_PER_USER", "1000");
        // the chat page (served by chat-service on a free port) signs in at auth-service cross-origin: let any
        // loopback origin through CORS, since chat-service's port is only known once it has started
        authEnv.put("PARLEY_AUTH_CORS_ORIGINS", LOOPBACK_ORIGINS);
        auth = ServiceProcess.start("auth-service", jar(repository, "auth-service"), authEnv);
        ids = ServiceProcess.start("id-service", jar(repository, "id-service"), common);

        Map<String, String> chatEnv = new HashMap<>(common);
        chatEnv.put("QUARKUS_DATASOURCE_JDBC_URL", db.createDatabase("parley_chat"));
        chatEnv.put("PARLEY_CHAT_ID_SERVICE_URL", ids.baseUrl());
        chatEnv.put("PARLEY_CHAT_AUTH_SERVICE_URL", auth.baseUrl());
        chatEnv.put("PARLEY_CHAT_ADMIN_KEY", ADMIN_KEY);
        chat = ServiceProcess.start("chat-service", jar(repository, "chat-service"), chatEnv);

        Map<String, String> notifyEnv = new HashMap<>(common);
        notifyEnv.put("QUARKUS_DATASOURCE_JDBC_URL", db.createDatabase("parley_notify"));
        notifyEnv.put("PARLEY_NOTIFY_CHAT_URL", chat.baseUrl());
        // receivers in tests listen on loopback, which production refuses (the egress guard)
        notifyEnv.put("PARLEY_NOTIFY_EGRESS_ALLOW", "127.0.0.1,::1");
        // the chat page registers its Web Push subscription cross-origin, with the VAPID key notify-service serves
        notifyEnv.put("PARLEY_NOTIFY_CORS_ORIGINS", LOOPBACK_ORIGINS);
        notifyEnv.put("PARLEY_NOTIFY_PUSH_WEB_PUSH_VAPID_PUBLIC_KEY", VAPID_PUBLIC_KEY);
        notifyEnv.put("PARLEY_NOTIFY_PUSH_WEB_PUSH_VAPID_PRIVATE_KEY", VAPID_PRIVATE_KEY);
        notify = ServiceProcess.start("notify-service", jar(repository, "notify-service"), notifyEnv);
    }

    /** The platform of this JVM, started on first use. */
    public static synchronized LocalPlatform get() {
        if (instance == null) {
            instance = new LocalPlatform(repositoryRoot());
        }
        return instance;
    }

    public String authUrl() {
        return auth.baseUrl();
    }

    public String idUrl() {
        return ids.baseUrl();
    }

    public String chatUrl() {
        return chat.baseUrl();
    }

    public String notifyUrl() {
        return notify.baseUrl();
    }

    /** The chat-service process (its log, or to stop it). */
    public ServiceProcess chat() {
        return chat;
    }

    private static Path jar(Path repository, String service) {
        Path jar = repository.resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: package " + service + " first (the reactor does, "
                    + "when this module depends on it)");
        }
        return jar;
    }

    /** The repository's top folder: the nearest parent of the working directory holding the {@code parley} script. */
    static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("parley")) && Files.isDirectory(dir.resolve("chat-service"))) {
                return dir;
            }
        }
        throw new IllegalStateException("not inside the Parley repository: " + Path.of("").toAbsolutePath());
    }
}

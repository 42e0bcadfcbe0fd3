package io.parley.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real MariaDB server (MySQL protocol) on loopback, on a free port, with a throw-away data directory.
 * Databases are created on demand; each service gets its own, as in production (no shared tables).
 */
public final class MariaDbServer implements AutoCloseable {

    public static final String USER = "parley";
    public static final String PASSWORD = "parley-test";

    private static MariaDbServer shared;

    private final int port;
    private final Path socket;
    private final ManagedProcess process;

    private MariaDbServer(int port, Path socket, ManagedProcess process) {
        this.port = port;
        this.socket = socket;
        this.process = process;
    }

    /** One server per test JVM, started on first use and stopped when the JVM exits. */
    public static synchronized MariaDbServer shared() {
        if (shared == null || !shared.process.isAlive()) {
            shared = start();
        }
        return shared;
    }

    public static MariaDbServer start() {
        Path server = Packages.require("mariadbd", "mariadb-server");
        try {
            Path dir = Files.createTempDirectory("parley-mariadb-");
            Path data = dir.resolve("data");
            Path socket = dir.resolve("mysqld.sock");
            int port = FreePort.find();
            run(List.of("mariadb-install-db", "--no-defaults", "--datadir=" + data, "--user=root",
                    "--auth-root-authentication-method=normal", "--skip-test-db"), dir.resolve("install.log"));
            ManagedProcess process = ManagedProcess.start("mariadb:" + port, List.of(server.toString(),
                            "--no-defaults", "--datadir=" + data, "--socket=" + socket, "--port=" + port,
                            "--bind-address=127.0.0.1", "--pid-file=" + dir.resolve("mariadb.pid"), "--user=root",
                            "--skip-log-bin", "--innodb-buffer-pool-size=64M",
                            "--innodb-flush-log-at-trx-commit=2", "--character-set-server=utf8mb4",
                            "--collation-server=utf8mb4_unicode_ci"),
                    Map.of(), dir.resolve("mariadb.log"));
            MariaDbServer db = new MariaDbServer(port, socket, process);
            process.awaitReady(Duration.ofSeconds(60), db::ping);
            db.sql("CREATE USER IF NOT EXISTS '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "'; "
                    + "CREATE USER IF NOT EXISTS '" + USER + "'@'localhost' IDENTIFIED BY '" + PASSWORD + "'; "
                    + "GRANT ALL ON *.* TO '" + USER + "'@'%'; GRANT ALL ON *.* TO '" + USER + "'@'localhost';");
            return db;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates (if missing) a database and returns its JDBC URL for Connector/J. */
    public String createDatabase(String name) {
        if (!name.matches("[A-Za-z0-9_]+")) {
            throw new IllegalArgumentException("bad database name " + name);
        }
        sql("CREATE DATABASE IF NOT EXISTS `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
        return jdbcUrl(name);
    }

    public String jdbcUrl(String database) {
        return "jdbc:mysql://127.0.0.1:" + port + "/" + database;
    }

    public int port() {
        return port;
    }

    /** Runs SQL as root over the local socket with the {@code mariadb} client. */
    public void sql(String statements) {
        Path log;
        try {
            log = Files.createTempFile("parley-sql-", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run(List.of("mariadb", "--no-defaults", "--socket=" + socket, "-uroot", "-e", statements), log);
    }

    private boolean ping() {
        try {
            Process p = new ProcessBuilder("mariadb-admin", "--no-defaults", "--socket=" + socket, "-uroot", "ping")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void run(List<String> command, Path log) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(command.get(0) + " failed; see " + log + ":\n" + Files.readString(log));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        process.close();
    }
}

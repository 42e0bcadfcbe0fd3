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
    private final List<String> command;
    private final Path dir;
    private ManagedProcess process;

    private MariaDbServer(int port, Path socket, List<String> command, Path dir) {
        this.port = port;
        this.socket = socket;
        this.command = command;
        this.dir = dir;
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
            // a private tmpdir: in the shared /tmp a stale '#sql-temptable-<pid>-…' of an earlier server with the same
            // (reused) pid made the install abort ("Could not remove temporary table")
            Path tmp = Files.createDirectories(dir.resolve("tmp"));
            run(List.of("mariadb-install-db", "--no-defaults", "--datadir=" + data, "--tmpdir=" + tmp, "--user=root",
                    "--auth-root-authentication-method=normal", "--skip-test-db"), dir.resolve("install.log"));
            MariaDbServer db = new MariaDbServer(port, socket, List.of(server.toString(),
                    "--no-defaults", "--datadir=" + data, "--tmpdir=" + tmp, "--socket=" + socket, "--port=" + port,
                    "--bind-address=127.0.0.1", "--pid-file=" + dir.resolve("mariadb.pid"), "--user=root",
                    "--skip-log-bin", "--innodb-buffer-pool-size=64M",
                    "--innodb-flush-log-at-trx-commit=2", "--character-set-server=utf8mb4",
                    "--collation-server=utf8mb4_unicode_ci"), dir);
            db.launch("mariadb.log");
            db.sql("CREATE USER IF NOT EXISTS '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "'; "
                    + "CREATE USER IF NOT EXISTS '" + USER + "'@'localhost' IDENTIFIED BY '" + PASSWORD + "'; "
                    + "GRANT ALL ON *.* TO '" + USER + "'@'%'; GRANT ALL ON *.* TO '" + USER + "'@'localhost';");
            return db;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch(String logName) {
        process = ManagedProcess.start("mariadb:" + port, command, Map.of(), dir.resolve(logName));
        process.awaitReady(Duration.ofSeconds(60), this::ping);
    }

    /** Stops the server (SIGTERM, a clean shutdown); {@link #startAgain} brings it back with its data. */
    public void stop() {
        process.close();
    }

    /** Starts the stopped server again on the same port and data directory, and waits until it answers. */
    public void startAgain() {
        if (process.isAlive()) {
            throw new IllegalStateException("mariadb on " + port + " is still running");
        }
        launch("mariadb-" + System.nanoTime() + ".log");
    }

    /** The first column of the first row of a query as root (e.g. a count), or null. */
    public String query(String database, String statement) {
        List<String> rows = queryRows(database, statement);
        return rows.isEmpty() ? null : rows.get(0).split("\t")[0];
    }

    /** Every row of a query as root, columns tab-separated. */
    public List<String> queryRows(String database, String statement) {
        try {
            Process p = new ProcessBuilder("mariadb", "--no-defaults", "--socket=" + socket, "-uroot", "-N", "-B",
                    database, "-e", statement).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("query failed: " + statement);
            }
            return out.lines().filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
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

package io.parley.testsupport.openapi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The REST operations docs/protocol.md documents for one service, read the way a person reads it: every code span
 * {@code `METHOD /api/…`} in the service's section ({@code ## <service>…} up to the next {@code ## }), in tables and
 * prose. What the document abbreviates is expanded:
 * <ul>
 *   <li>{@code GET/PUT /api/v1/preferences}: one operation per method;</li>
 *   <li>{@code `GET …/access`} after {@code `PUT /api/v1/apps/{appId}/access`} in the same table row or paragraph:
 *   the tail continues the last full path — from the segment it names again ({@code …/access}, {@code …/grants/{user}}
 *   after {@code …/grants}), or else from the last path's parent;</li>
 *   <li>a body or query in the span ({@code `PUT /api/v1/apps/{appId}/access {"public":true}`}, {@code ?count=N}) is
 *   not part of the path.</li>
 * </ul>
 * A paragraph that opens with another service's name ("auth-service also answers `GET /api/v1/users/{id}`") is about
 * that service, wherever it stands, and so is a span right after one ("auth-service's `GET /api/v1/users?ids=…`"). Paths outside {@code /api/} (the chat page {@code GET /}, {@code /q/…}) are not
 * REST operations of the contract.
 */
public final class ProtocolRoutes {

    static final List<String> SERVICES = List.of("auth-service", "id-service", "chat-service", "notify-service");
    private static final Pattern CODE_SPAN = Pattern.compile("`([^`]+)`");
    private static final Pattern CALL = Pattern.compile(
            "^((?:GET|POST|PUT|DELETE|PATCH)(?:/(?:GET|POST|PUT|DELETE|PATCH))*)\\s+(/api/\\S*|…/\\S*|\\.\\.\\./\\S*)");
    private static final String ELLIPSIS = "…/";

    private ProtocolRoutes() {
    }

    /** docs/protocol.md of the checkout the tests run in: found from the working directory (a module) upwards. */
    public static Path protocolFile() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("docs").resolve("protocol.md");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("docs/protocol.md not found above " + Path.of("").toAbsolutePath());
    }

    public static Set<Route> of(String service) {
        try {
            return of(Files.readString(protocolFile()), service);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The operations {@code markdown} documents for {@code service} (e.g. {@code chat-service}). */
    public static Set<Route> of(String markdown, String service) {
        Set<Route> routes = new TreeSet<>();
        String section = null;
        for (String block : blocks(markdown)) {
            if (block.startsWith("## ")) {
                section = SERVICES.stream().filter(s -> block.startsWith("## " + s)).findFirst().orElse(null);
                continue;
            }
            String about = SERVICES.stream().filter(block::startsWith).findFirst().orElse(section);
            for (Operation operation : operationsIn(block)) {
                if (service.equals(operation.service() == null ? about : operation.service())) {
                    routes.add(operation.route());
                }
            }
        }
        return routes;
    }

    /** Table rows one by one, headings, and paragraphs (their lines joined). */
    static List<String> blocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        StringBuilder paragraph = new StringBuilder();
        for (String line : markdown.split("\n", -1)) {
            String trimmed = line.strip();
            boolean single = trimmed.startsWith("|") || trimmed.startsWith("#");
            if (trimmed.isEmpty() || single) {
                if (paragraph.length() > 0) {
                    blocks.add(paragraph.toString());
                    paragraph.setLength(0);
                }
                if (single) {
                    blocks.add(trimmed);
                }
            } else {
                paragraph.append(paragraph.length() == 0 ? "" : " ").append(trimmed);
            }
        }
        if (paragraph.length() > 0) {
            blocks.add(paragraph.toString());
        }
        return blocks;
    }

    /** An operation named in a block; {@code service} when the text names its service right before it. */
    record Operation(String service, Route route) {
    }

    static List<Operation> operationsIn(String block) {
        List<Operation> operations = new ArrayList<>();
        String lastFullPath = null;
        Matcher span = CODE_SPAN.matcher(block);
        while (span.find()) {
            Matcher call = CALL.matcher(span.group(1).strip());
            if (!call.find()) {
                continue;
            }
            String path = call.group(2);
            if (path.startsWith("/api/")) {
                lastFullPath = path;
            } else if (lastFullPath == null) {
                throw new IllegalArgumentException("'" + span.group(1) + "' abbreviates a path, but no full path precedes "
                        + "it in: " + block);
            } else {
                path = continuePath(lastFullPath, path.substring(path.indexOf('/') + 1));
            }
            String named = serviceNamedBefore(block.substring(0, span.start()));
            for (String method : call.group(1).split("/")) {
                operations.add(new Operation(named, Route.of(method, path)));
            }
        }
        return operations;
    }

    /** The service {@code text} ends by naming ("auth-service's ", "notify-service "), or null. */
    private static String serviceNamedBefore(String text) {
        String end = text.stripTrailing();
        end = end.endsWith("'s") ? end.substring(0, end.length() - 2) : end;
        for (String service : SERVICES) {
            if (end.endsWith(service)) {
                return service;
            }
        }
        return null;
    }

    /** {@code /a/b/access} + {@code access} → {@code /a/b/access}; {@code /a/b/access} + {@code grants/{u}} → {@code /a/b/grants/{u}}. */
    static String continuePath(String full, String tail) {
        String base = Route.normalisePath(full);
        String head = tail.split("[/?]", 2)[0];
        List<String> segments = new ArrayList<>(List.of(base.substring(1).split("/")));
        int at = segments.lastIndexOf(head);
        List<String> kept = at >= 0 ? segments.subList(0, at) : segments.subList(0, segments.size() - 1);
        return "/" + String.join("/", kept) + "/" + tail;
    }
}

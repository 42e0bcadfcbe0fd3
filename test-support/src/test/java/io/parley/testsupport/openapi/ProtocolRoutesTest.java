package io.parley.testsupport.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The reading of protocol.md and the comparison with an OpenAPI document, on small fixtures. */
class ProtocolRoutesTest {

    private static final String PROTOCOL = """
            # Parley protocol

            | 400 | `INVALID_ID` | `GET /api/v1/ids/{id}` with something that is neither id form |

            ## auth-service (8081)

            | call | body | answer |
            | --- | --- | --- |
            | `POST /api/v1/users` | `{"username","password"}` | 201 |
            | `GET /api/v1/ids?count=N&user=U` | | 200 |

            ## chat-service REST (8080, Bearer user token)

            | `PUT /api/v1/apps/{appId}/access` `{"public":bool}` / `GET …/access` *(addition)* | 200 |
            | `POST /api/v1/apps/{appId}/grants` `{"users":[ids]}` / `DELETE …/grants/{user}` *(addition)* | 204 |
            | `GET/PUT /api/v1/preferences` | both |

            The web chat page: `GET /` (with `/chat.js`) and `GET /q/health/live` are not REST operations.
            Operators: `GET /api/v1/admin/node` with `X-Admin-Key`.

            Member ids are checked with auth-service's `GET /api/v1/users?ids=…` and the caller's own token.

            auth-service also answers `GET /api/v1/users/{id}` (any user or app token): 200.

            ### A subsection of chat-service

            Access with `PUT /api/v1/apps/{appId}/access {"public":true}`, or those it granted with `POST …/grants`.

            ## notify-service

            Forwarded as `POST {chat-url}/api/v1/apps/{appId}/notifications` with the app's token.
            """;

    @Test
    void shouldReadTablesAndProseOfTheServicesSectionOnly() {
        assertEquals(Set.of(Route.of("POST", "/api/v1/users"), Route.of("GET", "/api/v1/ids"),
                Route.of("GET", "/api/v1/users/{}"), Route.of("GET", "/api/v1/users")),
                ProtocolRoutes.of(PROTOCOL, "auth-service"));
        assertEquals(Set.of(), ProtocolRoutes.of(PROTOCOL, "notify-service"));
    }

    @Test
    void shouldExpandAbbreviatedPathsAndMethodLists() {
        assertEquals(Set.of(
                Route.of("PUT", "/api/v1/apps/{x}/access"), Route.of("GET", "/api/v1/apps/{x}/access"),
                Route.of("POST", "/api/v1/apps/{x}/grants"), Route.of("DELETE", "/api/v1/apps/{x}/grants/{x}"),
                Route.of("GET", "/api/v1/preferences"), Route.of("PUT", "/api/v1/preferences"),
                Route.of("GET", "/api/v1/admin/node")), ProtocolRoutes.of(PROTOCOL, "chat-service"));
    }

    @Test
    void shouldNormalisePathParametersAndQueries() {
        assertEquals(Route.of("get", "/api/v1/groups/{id}/members/{user}"), Route.of("GET", "/api/v1/groups/{gid}/members/{u}"));
        assertEquals("GET /api/v1/conversations/{}/messages",
                Route.of("GET", "/api/v1/conversations/{cid}/messages?beforeSeq=&limit=").toString());
    }

    @Test
    void shouldFailWhenAnOperationIsMissingOnEitherSide() {
        String openApi = """
                {"openapi":"3.1.0","paths":{
                  "/api/v1/users":{"post":{"summary":"Sign up","responses":{"201":{},"400":{}}}},
                  "/api/v1/users/{userId}":{"get":{"responses":{"200":{}}}},
                  "/api/v1/users/me":{"get":{"summary":"Me","responses":{"200":{}}}},
                  "/q/health":{"get":{}}}}
                """;
        OpenApiRoutes document = OpenApiRoutes.parse(openApi);
        RouteComparison comparison = RouteComparison.of(ProtocolRoutes.of(PROTOCOL, "auth-service"), document.routes());

        assertFalse(comparison.agree());
        assertEquals(Set.of(Route.of("GET", "/api/v1/users/me")), comparison.undocumented());
        assertEquals(Set.of(Route.of("GET", "/api/v1/ids"), Route.of("GET", "/api/v1/users")), comparison.notServed());
        assertEquals(Set.of(Route.of("GET", "/api/v1/users/{}")), document.withoutSummary());
        assertEquals(Set.of(Route.of("GET", "/api/v1/users/{}"), Route.of("GET", "/api/v1/users/me")),
                document.withoutErrorResponses());
        assertEquals(Set.of(Route.of("POST", "/api/v1/users")),
                document.withErrorsOutsideTheErrorBody(OpenApiContractTests.ERROR_BODY_REF));
        assertTrue(RouteComparison.of(document.routes(), document.routes()).agree());
    }

    @Test
    void shouldReadTheRealProtocolMd() {
        assertTrue(ProtocolRoutes.of("chat-service").contains(Route.of("DELETE", "/api/v1/apps/{}/grants/{}")));
        assertTrue(ProtocolRoutes.of("notify-service").contains(Route.of("PUT", "/api/v1/preferences")));
    }
}

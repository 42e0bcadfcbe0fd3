// Where the page finds auth-service when the user has not chosen (and remembered) a URL.
//
// Behind the chart's ingress (or any reverse proxy on the scheme's own port, 80 or 443) the page and every API
// share one origin: the ingress sends /api/v1/users and /api/v1/sessions to auth-service. Served by chat-service
// on a port of its own (./parley up, a port-forward), the services listen side by side, auth-service on 8081.
export const AUTH_SERVICE_PORT = 8081;

export function defaultAuthUrl(location) {
  if (location.port === '') return location.origin;
  return `${location.protocol}//${location.hostname}:${AUTH_SERVICE_PORT}`;
}

// Where the page finds notify-service (push registration) when the user has not chosen (and remembered) a URL —
// as auth-url.js for auth-service: one origin behind the chart's ingress (it routes /api/v1/push to notify-service),
// this host on port 8083 when chat-service serves the page on a port of its own.
export const NOTIFY_SERVICE_PORT = 8083;

export function defaultNotifyUrl(location) {
  if (location.port === '') return location.origin;
  return `${location.protocol}//${location.hostname}:${NOTIFY_SERVICE_PORT}`;
}

/**
 * The response headers a log keeps: a bounded allow-list of the ones that explain an outcome (what came back, where
 * it pointed, when to retry, which request it was on the other side), never cookies or credentials. Names are
 * lower case; each value is cut to MAX_RESPONSE_HEADER_CHARS characters.
 */
export const KEPT_RESPONSE_HEADERS = [
  "content-type",
  "content-length",
  "location",
  "retry-after",
  "x-request-id",
  "x-correlation-id",
  "request-id",
  "cf-ray",
  "server",
  "etag",
] as const;

export const MAX_RESPONSE_HEADER_CHARS = 256;

/** The kept headers of a response (a null-prototype record: `__proto__` can never be a name here anyway). */
export function keptResponseHeaders(headers: Headers): Record<string, string> {
  const kept: Record<string, string> = Object.create(null);
  for (const name of KEPT_RESPONSE_HEADERS) {
    const value = headers.get(name);
    if (value !== null) kept[name] = value.slice(0, MAX_RESPONSE_HEADER_CHARS);
  }
  return kept;
}

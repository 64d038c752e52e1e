/** The response headers a log keeps: an allow-list explaining outcomes, never cookies or credentials; lower case. */
export const KEPT_RESPONSE_HEADERS = [
  "content-type",
  "content-length",
  // The body is stored decoded (src/lib/response-body.ts): this says how it was sent.
  "content-encoding",
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

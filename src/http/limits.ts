import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./env";
import { fail, ProblemError, problem } from "./problem";

/** Largest request body accepted, in bytes (a job with a 32,768-character ASCII `body` fits). */
export const MAX_BODY_BYTES = 64 * 1024;
/** Largest single request header value, in bytes. */
export const MAX_HEADER_VALUE_BYTES = 8 * 1024;
/** Largest request header section (names + values + separators), in bytes. */
export const MAX_HEADER_BYTES = 32 * 1024;

/** 413 over MAX_BODY_BYTES, from Content-Length or counted while streaming (chunked uploads too), before auth. */
export const bodySizeLimit = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => fail(413, `The request body is larger than ${MAX_BODY_BYTES} bytes`),
});

/**
 * 415 for a compressed request body: bodies are read as sent, so a gzip or br body would otherwise be parsed
 * as if it were plain JSON. The response says so with `Accept-Encoding: identity`.
 */
export const uncompressedBodies = createMiddleware<AppEnv>(async (c, next) => {
  const coding = c.req.header("content-encoding")?.trim().toLowerCase();
  if (c.req.raw.body && coding && coding !== "identity") {
    throw new ProblemError(problem(415, "Compressed request bodies are not supported: send the body uncompressed"), {
      "Accept-Encoding": "identity",
    });
  }
  await next();
});

/** 431 when one header value, or all headers together, are larger than the caps above. */
export const headerSizeLimit = createMiddleware<AppEnv>(async (c, next) => {
  let total = 0;
  for (const [name, value] of c.req.raw.headers) {
    // Header values are byte strings, so length is the byte count.
    if (value.length > MAX_HEADER_VALUE_BYTES) {
      fail(431, `The ${name} header is larger than ${MAX_HEADER_VALUE_BYTES} bytes`);
    }
    total += name.length + value.length + 4; // ": " and CRLF
  }
  if (total > MAX_HEADER_BYTES) fail(431, `The request headers are larger than ${MAX_HEADER_BYTES} bytes in total`);
  await next();
});

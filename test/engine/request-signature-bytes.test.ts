import { describe, expect, it } from "vitest";
import { REQUEST_SIGNATURE_HEADER, verifyRequestSignature } from "../../packages/client/src/signatures";
import { requestHeaders } from "../../src/engine/request-identity";
import { encodedRequestBody } from "../../src/lib/charset";

const run = {
  id: "exe_01J00000000000000000000000",
  jobId: "00000000-0000-4000-8000-000000000001",
  slot: Date.UTC(2026, 0, 1),
  nonce: "n1",
  attempt: 0,
  origin: "schedule",
} as const;
const endpointUrl = "https://api.example.com/hook?x=1";
const T = 1_767_225_600;

/** What the executor puts on the wire for a body and its Content-Type. */
const wire = (body: string, contentType: string) => {
  const sent = encodedRequestBody(body, contentType);
  return typeof sent === "string" ? new TextEncoder().encode(sent) : sent;
};

describe("the request signature covers the body's bytes as sent", () => {
  it.each([
    ["text/plain; charset=iso-8859-1", "café €"],
    ['text/plain; charset="windows-1251"', "Привет"],
    ["application/x-www-form-urlencoded; charset=iso-8859-15", "prix=€"],
    ["application/json", '{"name":"café ✓"}'],
    // Not encodable in its declared charset: sent (and signed) as UTF-8.
    ["text/plain; charset=iso-8859-1", "tick ✓"],
  ])("%s: the SDK verifies it over the raw bytes the target receives", async (contentType, body) => {
    for (const name of ["Content-Type", "content-type", "CONTENT-TYPE"]) {
      const headers = await requestHeaders(
        { [name]: contentType },
        run,
        { method: "post", endpointUrl, body },
        ["s3cret", "older"],
        T,
      );
      for (const secret of ["s3cret", "older"]) {
        const result = await verifyRequestSignature(
          { method: "POST", url: endpointUrl, body: wire(body, contentType) },
          { header: headers[REQUEST_SIGNATURE_HEADER], secret, now: T },
        );
        expect(result, `${name}: ${contentType}`).toMatchObject({ ok: true });
      }
    }
  });
});

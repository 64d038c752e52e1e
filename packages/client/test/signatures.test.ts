/** The verifiers against the Worker's own signer (src/engine/signature.ts), not a re-implementation of it. */
import { describe, expect, it } from "vitest";
import { signPayload } from "../../../src/engine/signature.js";
import {
  CALLBACK_SIGNATURE_HEADER,
  parseSignatureHeader,
  SignatureError,
  verifyCallbackRequest,
  verifyCallbackSignature,
} from "../src/signatures.js";

const SECRET = "whsec_test_current";
const OLD = "whsec_test_previous";
const BODY = JSON.stringify({ cron_job_id: "j", status: "failure", response_body: 'naïve ✓ "quoted"' });
const T = 1_764_500_000;

/** Two signatures at one timestamp, as a rotation's grace period sends them: `t=…,v1=<new>,v1=<old>`. */
async function rotated(body: string, t: number) {
  const a = await signPayload(SECRET, body, t);
  const b = await signPayload(OLD, body, t);
  return `${a},${b.split(",")[1]}`;
}

describe("verifyCallbackSignature", () => {
  it("accepts the Worker's signature over the raw body, as a string or as bytes", async () => {
    const header = await signPayload(SECRET, BODY, T);
    expect(await verifyCallbackSignature(BODY, { header, secret: SECRET, now: T })).toEqual({ ok: true, timestamp: T });
    const bytes = new TextEncoder().encode(BODY);
    expect((await verifyCallbackSignature(bytes, { header, secret: SECRET, now: T + 10 })).ok).toBe(true);
    expect((await verifyCallbackSignature(bytes.buffer, { header, secret: SECRET, now: T })).ok).toBe(true);
  });

  it("after a rotation accepts a header carrying several v1 values when any matches, with either secret", async () => {
    const header = await rotated(BODY, T);
    expect(parseSignatureHeader(header)?.v1).toHaveLength(2);
    expect((await verifyCallbackSignature(BODY, { header, secret: SECRET, now: T })).ok).toBe(true);
    expect((await verifyCallbackSignature(BODY, { header, secret: OLD, now: T })).ok).toBe(true);
    expect(await verifyCallbackSignature(BODY, { header, secret: "whsec_other", now: T })).toEqual({
      ok: false,
      reason: "mismatch",
    });
    // The receiver's own rollover: any of the secrets it holds.
    const single = await signPayload(OLD, BODY, T);
    expect((await verifyCallbackSignature(BODY, { header: single, secret: [SECRET, OLD], now: T })).ok).toBe(true);
  });

  it("rejects a changed body, a wrong secret, and a timestamp outside the tolerance", async () => {
    const header = await signPayload(SECRET, BODY, T);
    const v = (body: string, opts: Partial<Parameters<typeof verifyCallbackSignature>[1]>) =>
      verifyCallbackSignature(body, { header, secret: SECRET, now: T, ...opts });
    expect(await v(`${BODY} `, {})).toEqual({ ok: false, reason: "mismatch" });
    expect(await v(BODY, { secret: OLD })).toEqual({ ok: false, reason: "mismatch" });
    expect(await v(BODY, { now: T + 301 })).toEqual({ ok: false, reason: "expired" });
    expect(await v(BODY, { now: T - 301 })).toEqual({ ok: false, reason: "expired" });
    expect((await v(BODY, { now: T + 900, toleranceSeconds: 900 })).ok).toBe(true);
    // A signature for another timestamp does not verify when t is edited to a fresh one.
    const forged = header.replace(`t=${T}`, `t=${T + 1}`);
    expect(await v(BODY, { header: forged })).toEqual({ ok: false, reason: "mismatch" });
  });

  it("answers missing / malformed for absent or garbled headers, and ignores unknown schemes", async () => {
    const v = (header: string | null) => verifyCallbackSignature(BODY, { header, secret: SECRET, now: T });
    expect(await v(null)).toEqual({ ok: false, reason: "missing" });
    expect(await v("")).toEqual({ ok: false, reason: "missing" });
    for (const bad of ["v1=abc", `t=${T}`, "t=soon,v1=00", "garbage"]) {
      expect(await v(bad)).toEqual({ ok: false, reason: "malformed" });
    }
    expect(await v(`t=${T},v1=zz`)).toEqual({ ok: false, reason: "mismatch" });
    const header = await signPayload(SECRET, BODY, T);
    expect((await v(`${header},v2=future-scheme`)).ok).toBe(true);
    expect((await v(` ${header.replace(",", " , ")} `)).ok).toBe(true);
  });
});

describe("verifyCallbackRequest", () => {
  it("verifies a Request's header over its raw body and then parses it", async () => {
    const header = await signPayload(SECRET, BODY, T);
    const req = () =>
      new Request("https://receiver.test/cb", {
        method: "POST",
        body: BODY,
        headers: { [CALLBACK_SIGNATURE_HEADER]: header },
      });
    expect(await verifyCallbackRequest(req(), { secret: SECRET, now: T })).toEqual(JSON.parse(BODY));
    await expect(verifyCallbackRequest(req(), { secret: OLD, now: T })).rejects.toBeInstanceOf(SignatureError);
    await expect(
      verifyCallbackRequest(new Request("https://r.test", { method: "POST", body: BODY }), { secret: SECRET }),
    ).rejects.toThrow("missing");
  });
});

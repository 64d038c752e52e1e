/**
 * The verifiers against the Worker's own signers (src/lib/signature.ts, src/engine/request-identity.ts), not a
 * re-implementation of them.
 */
import { describe, expect, it } from "vitest";
import { signPayload } from "../../../src/lib/signature.js";
import {
  CALLBACK_SIGNATURE_HEADER,
  parseSignatureHeader,
  REQUEST_SIGNATURE_HEADER,
  SignatureError,
  verifyCallbackRequest,
  verifyCallbackSignature,
  verifyEdgecronRequest,
  verifyRequestSignature,
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

/**
 * The Worker's request signer, loaded by path: its module graph reaches the Worker's D1 types, which this Node
 * package's typecheck does not have (signature.ts above is self-contained, so it is imported normally).
 */
type RequestHeaders = (
  jobHeaders: Record<string, string>,
  run: { id: string; jobId: string; slot: number; nonce: string | null; attempt: number; origin: string },
  req: { method: string; endpointUrl: string; body: string | null },
  secrets: readonly string[],
  unixSeconds: number,
) => Promise<Record<string, string>>;
const signerModule = new URL("../../../src/engine/request-identity.ts", import.meta.url).href;
const { requestHeaders } = (await import(/* @vite-ignore */ signerModule)) as { requestHeaders: RequestHeaders };

describe("verifyRequestSignature", () => {
  const URL_ = "https://Example.COM:443/hook?x=1#frag";
  const body = '{"report":"daily"}';
  /** The Worker's own request headers for an attempt (src/engine/request-identity.ts). */
  async function sent(method: string, reqBody: string | null, secrets = [SECRET]) {
    const run = { id: "exe_1", jobId: "job", slot: 0, nonce: null, attempt: 0, origin: "manual" };
    const headers = await requestHeaders({}, run, { method, endpointUrl: URL_, body: reqBody }, secrets, T);
    return headers[REQUEST_SIGNATURE_HEADER] as string;
  }

  it("accepts the Worker's signature for the job's URL (any spelling of it), method and raw body", async () => {
    const header = await sent("POST", body);
    const ok = (req: Parameters<typeof verifyRequestSignature>[0]) =>
      verifyRequestSignature(req, { header, secret: SECRET, now: T });
    expect((await ok({ method: "POST", url: URL_, body })).ok).toBe(true);
    expect((await ok({ method: "post", url: "https://example.com/hook?x=1#frag", body })).ok).toBe(true);
    expect((await ok({ method: "POST", url: URL_, body: new TextEncoder().encode(body) })).ok).toBe(true);
    expect((await ok({ method: "PUT", url: URL_, body })).ok).toBe(false);
    expect((await ok({ method: "POST", url: "https://example.com/other", body })).ok).toBe(false);
    expect((await ok({ method: "POST", url: URL_, body: `${body} ` })).ok).toBe(false);
    // A callback's verifier never accepts a request's signature (another signed string).
    expect((await verifyCallbackSignature(body, { header, secret: SECRET, now: T })).ok).toBe(false);
  });

  it("signs GET without a body, and several v1 during a rotation", async () => {
    const header = await sent("GET", "ignored", [SECRET, OLD]);
    expect(parseSignatureHeader(header)?.v1).toHaveLength(2);
    for (const secret of [SECRET, OLD]) {
      const res = await verifyRequestSignature({ method: "GET", url: URL_ }, { header, secret, now: T });
      expect(res.ok).toBe(true);
    }
  });

  it("verifyEdgecronRequest checks a Request against the job's endpoint_url and answers the raw body", async () => {
    const header = await sent("POST", body);
    const req = new Request("http://10.0.0.5:8080/internal/hook", {
      method: "POST",
      body,
      headers: { [REQUEST_SIGNATURE_HEADER]: header },
    });
    const raw = await verifyEdgecronRequest(req.clone(), { secret: SECRET, now: T, endpointUrl: URL_ });
    expect(new TextDecoder().decode(raw)).toBe(body);
    await expect(verifyEdgecronRequest(req, { secret: SECRET, now: T })).rejects.toThrow("mismatch");
  });
});

import { beforeEach, describe, expect, inject, it } from "vitest";
import { createDb } from "../../src/db/client";
import { consumeRun } from "../../src/engine/consume";
import { createHttpExecutor } from "../../src/engine/executors/http";
import { triggerNow } from "../../src/engine/trigger";
import { findLiveJob } from "../../src/jobs/repository";
import type { RunMessage } from "../../src/lib/messages";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { queuedRun, testDeps } from "../helpers/engine";
import { db, insertJob } from "../helpers/fixtures";
import { shardD1 } from "../helpers/shards";
import { storedLogs } from "../helpers/stored-logs";

const T = Date.UTC(2026, 5, 1, 12, 0, 0);
const FAR = Date.UTC(2099, 0, 1);
const port = inject("targetPort");
let acct: TestAccount;
beforeEach(async () => {
  acct = await createAccount();
});

interface Captured {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}
async function captured(key: string): Promise<Captured[]> {
  return (await fetch(`http://127.0.0.1:${port}/captured/${key}`)).json();
}

/** The README's verifier, as a customer would write it: any matching v1, within a tolerance. */
async function verifyRequest(
  secret: string,
  header: string,
  method: string,
  url: string,
  rawBody: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): Promise<boolean> {
  const parts = header.split(",").map((kv) => kv.split("="));
  const t = parts.find(([k]) => k === "t")?.[1];
  const sigs = parts.filter(([k]) => k === "v1").map(([, v]) => v ?? "");
  if (!t || sigs.length === 0 || Math.abs(nowSeconds - Number(t)) > toleranceSeconds) return false;
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  const data = new TextEncoder().encode(`${t}.${method.toUpperCase()}.${url}.${rawBody}`);
  for (const v1 of sigs) {
    const mac = Uint8Array.from(v1.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
    if (await crypto.subtle.verify("HMAC", key, mac, data)) return true;
  }
  return false;
}

const httpDeps = (now = T) => testDeps({ executor: createHttpExecutor({ allowPrivateTargets: true }), now: () => now });

describe("requests to a target", () => {
  it("carry the attempt's identity and a signature that the README's verifier accepts", async () => {
    const key = crypto.randomUUID();
    const url = `http://127.0.0.1:${port}/capture/${key}?fail=1`;
    const job = await insertJob(acct.accountId, {
      nextRunAt: FAR,
      endpointUrl: url,
      method: "POST",
      body: '{"report":"daily"}',
      headers: JSON.stringify({ "X-Edgecron-Attempt": "spoofed", "X-Custom": "kept" }),
      maxRetries: 1,
    });
    const deps = httpDeps();
    const msg = await queuedRun(job, T);
    await consumeRun(deps, msg); // fails once: a retry follows
    const [retry] = deps.queue.take();
    await consumeRun(deps, retry?.body as RunMessage);
    const [first, second] = await captured(key);
    expect(first?.headers).toMatchObject({
      "x-edgecron-execution-id": msg.runId,
      "idempotency-key": msg.runId,
      "x-edgecron-scheduled-at": "2026-06-01T12:00:00Z",
      "x-edgecron-attempt": "0",
      "x-edgecron-job-id": job.id,
      "x-custom": "kept",
    });
    expect(second?.headers).toMatchObject({
      "x-edgecron-execution-id": (retry?.body as RunMessage | undefined)?.runId,
      "idempotency-key": msg.runId, // stable across the slot's retries
      "x-edgecron-attempt": "1",
    });
    for (const req of [first, second] as Captured[]) {
      const header = req.headers["x-edgecron-request-signature"] ?? "";
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      const now = Math.floor(T / 1000);
      expect(await verifyRequest(acct.signingSecret, header, req.method, url, req.body, now)).toBe(true);
      expect(await verifyRequest(acct.signingSecret, header, req.method, url, `${req.body} `, now)).toBe(false);
      expect(await verifyRequest(acct.signingSecret, header, "PUT", url, req.body, now)).toBe(false);
      expect(await verifyRequest(acct.signingSecret, header, req.method, `${url}&x=1`, req.body, now)).toBe(false);
      expect(await verifyRequest("whsec_other", header, req.method, url, req.body, now)).toBe(false);
      expect(await verifyRequest(acct.signingSecret, header, req.method, url, req.body, now + 3600)).toBe(false);
      expect(req.headers["x-edgecron-signature"]).toBeUndefined(); // the callbacks' header is never used here
    }
  });

  it("a run-now has its own idempotency key and no scheduled time", async () => {
    const key = crypto.randomUUID();
    const job = await insertJob(acct.accountId, {
      nextRunAt: FAR,
      endpointUrl: `http://127.0.0.1:${port}/capture/${key}`,
      method: "GET",
      maxRetries: 0,
    });
    const deps = httpDeps();
    const row = await findLiveJob(db(), job.id);
    const [a, b] = await Promise.all([triggerNow(deps, row as never), triggerNow(deps, row as never)]);
    const reqs = await captured(key);
    expect(reqs.map((r) => r.headers["idempotency-key"]).sort()).toEqual([a?.executionId, b?.executionId].sort());
    expect(reqs.every((r) => r.headers["x-edgecron-scheduled-at"] === undefined)).toBe(true);
    const url = `http://127.0.0.1:${port}/capture/${key}`;
    const header = reqs[0]?.headers["x-edgecron-request-signature"] ?? "";
    expect(await verifyRequest(acct.signingSecret, header, "GET", url, "", Math.floor(T / 1000))).toBe(true);
  });

  it("during a rotation's overlap the request carries a v1 for each active secret", async () => {
    const key = crypto.randomUUID();
    const url = `http://127.0.0.1:${port}/capture/${key}`;
    const job = await insertJob(acct.accountId, { nextRunAt: FAR, endpointUrl: url, maxRetries: 0 });
    const { rotateSigningSecret } = await import("../../src/signing/signing-secrets");
    const rotation = await rotateSigningSecret(createDb(shardD1()), acct.accountId, T - 1000);
    await consumeRun(httpDeps(), await queuedRun(job, T));
    const [req] = await captured(key);
    const header = req?.headers["x-edgecron-request-signature"] ?? "";
    expect(header.split(",").filter((p) => p.startsWith("v1="))).toHaveLength(2);
    const now = Math.floor(T / 1000);
    for (const secret of [acct.signingSecret, rotation.secret]) {
      expect(await verifyRequest(secret, header, req?.method ?? "", url, req?.body ?? "", now)).toBe(true);
    }
  });

  it("request_signature: false sends no signature; the identity headers stay", async () => {
    const key = crypto.randomUUID();
    const job = await insertJob(acct.accountId, {
      nextRunAt: FAR,
      endpointUrl: `http://127.0.0.1:${port}/capture/${key}`,
      maxRetries: 0,
      requestSignature: false,
    });
    await consumeRun(httpDeps(), await queuedRun(job, T));
    const [req] = await captured(key);
    expect(req?.headers["x-edgecron-request-signature"]).toBeUndefined();
    expect(req?.headers["x-edgecron-job-id"]).toBe(job.id);
  });
});

describe("a redirect to another origin", () => {
  const other = `http://127.0.0.1:${inject("otherTargetPort")}`;
  const via = (code: number, to: string) =>
    `http://127.0.0.1:${port}/redirect?status=${code}&to=${encodeURIComponent(to)}`;
  const jobHeaders = JSON.stringify({ "X-Api-Key": "key_live", "X-Auth-Token": "tok_live", Authorization: "Bearer x" });

  it("gets neither the signature, the identity headers nor the job's headers (302 of a GET)", async () => {
    const key = crypto.randomUUID();
    const job = await insertJob(acct.accountId, {
      nextRunAt: FAR,
      endpointUrl: via(302, `${other}/capture/${key}`),
      method: "GET",
      headers: jobHeaders,
      maxRetries: 0,
    });
    await consumeRun(httpDeps(), await queuedRun(job, T));
    const [req, ...more] = await captured(key);
    expect(more).toEqual([]);
    expect(req?.headers.host).toBe(new URL(other).host);
    const leaked = Object.keys(req?.headers ?? {}).filter((h) => /^x-|idempotency|authorization/.test(h));
    expect(leaked).toEqual([]);
    expect(req?.headers["user-agent"]).toBe("edgecron/1.0");
  });

  it("is not followed when it would resend the body (307 of a POST): the run fails saying so", async () => {
    const key = crypto.randomUUID();
    const job = await insertJob(acct.accountId, {
      nextRunAt: FAR,
      endpointUrl: via(307, `${other}/capture/${key}`),
      method: "POST",
      body: '{"secret":"payload"}',
      headers: jobHeaders,
      maxRetries: 0,
    });
    await consumeRun(httpDeps(), await queuedRun(job, T));
    expect(await captured(key)).toEqual([]);
    const results = (await storedLogs(shardD1(), [job.id])).map((l) => ({
      response_code: l.response_code,
      error_message: l.error_message,
    }));
    expect(results).toEqual([
      {
        response_code: 307,
        error_message: `Redirect to another origin not followed: it would resend the request body to ${other}`,
      },
    ]);
    expect(await findLiveJob(db(), job.id)).toMatchObject({ lastRunStatus: "failure" });
  });
});

describe("request_signature on the job object", () => {
  it("defaults to true, can be set on create and update, and round-trips", async () => {
    const { jobsApi, quickStart } = await import("../helpers/jobs");
    const jobs = jobsApi(acct);
    const on = (await jobs.create(quickStart())).body.data;
    expect(on.request_signature).toBe(true);
    const off = (await jobs.create({ ...quickStart(), request_signature: false })).body.data;
    expect(off.request_signature).toBe(false);
    expect((await jobs.update(off.id, { request_signature: true })).body.data.request_signature).toBe(true);
    expect((await jobs.create({ ...quickStart(), request_signature: "no" })).status).toBe(400);
  });
});

describe("response headers kept with each log", () => {
  it("keeps the allow-listed headers (cut to 256 characters), never cookies, in the API and the export", async () => {
    const key = crypto.randomUUID();
    const job = await insertJob(acct.accountId, {
      nextRunAt: FAR,
      endpointUrl: `http://127.0.0.1:${port}/headers/${key}`,
      maxRetries: 0,
    });
    await consumeRun(httpDeps(), await queuedRun(job, T));
    const { jobsApi } = await import("../helpers/jobs");
    const [log] = (await jobsApi(acct).logs(job.id)).body.data;
    expect(log.response_headers).toEqual({
      "content-type": "application/json",
      "x-request-id": "r".repeat(256),
      location: "/elsewhere",
    });
    const csv = await jobsApi(acct).send("GET", `/logs/${job.id}/export?format=csv`);
    expect(csv.body).toContain('""x-request-id"":""rrr');
  });
});

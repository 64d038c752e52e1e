import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { deliverCallback } from "../../src/engine/callbacks";
import { consumeRun } from "../../src/engine/consume";
import type { ExecutionRequest, Executor } from "../../src/lib/execution";
import type { CallbackMessage } from "../../src/lib/messages";
import { signPayload, signWithSecrets } from "../../src/lib/signature";
import { activeSigningSecrets } from "../../src/signing/signing-secrets";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { queuedRun, testDeps } from "../helpers/engine";
import { insertJob } from "../helpers/fixtures";
import { api, expectProblem } from "../helpers/http";
import { shardD1 } from "../helpers/shards";

/** The README's verifier, verbatim in spirit: accept when any v1 matches. */
async function verifyEdgecron(secret: string, header: string, rawBody: string, toleranceSeconds = 300) {
  const parts = header.split(",").map((kv) => kv.split("=") as [string, string]);
  const t = parts.find(([k]) => k === "t")?.[1];
  const signatures = parts.filter(([k]) => k === "v1").map(([, v]) => v);
  if (!t || signatures.length === 0 || Math.abs(Date.now() / 1000 - Number(t)) > toleranceSeconds) return false;
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  for (const v1 of signatures) {
    const mac = Uint8Array.from(v1.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
    if (await crypto.subtle.verify("HMAC", key, mac, new TextEncoder().encode(`${t}.${rawBody}`))) return true;
  }
  return false;
}

function receiver() {
  const calls: Array<{ headers: Headers; body: string }> = [];
  const fetch = async (_url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ headers: new Headers(init?.headers), body: String(init?.body) });
    return new Response("ok");
  };
  return { calls, fetch: fetch as typeof globalThis.fetch };
}

const callback = (accountId: string): CallbackMessage => ({
  type: "callback",
  accountId,
  url: "https://hooks.example.com/cb",
  body: JSON.stringify({ cron_job_id: "x", status: "success" }),
  attempt: 0,
});

async function deliver(msg: CallbackMessage) {
  const rx = receiver();
  expect(await deliverCallback({ ...testDeps(), fetch: rx.fetch }, msg)).toBe("delivered");
  const call = rx.calls[0];
  if (!call) throw new Error("no delivery");
  return { header: call.headers.get("x-edgecron-signature") ?? "", body: call.body };
}

const rotate = (acct: TestAccount, body?: unknown) =>
  api(`/v1/cron-jobs/${acct.accountId}/signing-secret/rotate`, {
    method: "POST",
    headers: { ...acct.headers, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const revokeRetired = (acct: TestAccount) =>
  api(`/v1/cron-jobs/${acct.accountId}/signing-secret/revoke-retired`, { method: "POST", headers: acct.headers });

/** Runs one attempt of a fresh job of the account and returns the request it sent (signed at send time). */
async function sendRequest(acct: TestAccount) {
  const sent: ExecutionRequest[] = [];
  const executor: Executor = {
    async execute(req) {
      sent.push(req);
      return {
        status: "success",
        responseCode: 200,
        responseBody: null,
        errorMessage: null,
        responseTimeMs: 1,
        retryAfterSeconds: null,
      };
    },
  };
  const now = Date.now();
  const job = await insertJob(acct.accountId, { nextRunAt: Date.UTC(2099, 0, 1), body: '{"n":1}' });
  await consumeRun(testDeps({ executor, now: () => now }), await queuedRun(job, now));
  const req = sent[0];
  if (!req) throw new Error("no request sent");
  return { ...req, header: req.headers["X-Edgecron-Request-Signature"] ?? "" };
}

/** The README's request verifier: any v1 over "<t>.<METHOD>.<URL>.<body>". */
async function verifyRequest(
  secret: string,
  req: { header: string; method: string; endpointUrl: string; body: string | null },
) {
  const header = req.header;
  const t = header.match(/^t=(\d+)/)?.[1];
  const payload = `${req.method.toUpperCase()}.${new URL(req.endpointUrl).href}.${req.body ?? ""}`;
  if (!t) return false;
  const expected = (await signPayload(secret, payload, Number(t))).split(",")[1];
  return header
    .split(",")
    .slice(1)
    .includes(expected ?? "-");
}

describe("signing with several secrets (lib/signature.ts)", () => {
  it("one t and one v1 per distinct secret, in order; one secret is the old format", async () => {
    const h = await signWithSecrets(["a", "b", "a"], "{}", 1700000000);
    expect(h).toMatch(/^t=1700000000,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(h.split(",")[1]).toBe((await signPayload("a", "{}", 1700000000)).split(",")[1]);
    await expect(signWithSecrets([], "{}", 1)).rejects.toThrow();
  });
});

describe("signing-secret rotation with overlap", () => {
  let acct: TestAccount;
  beforeAll(async () => {
    acct = await createAccount("Rotation");
  });

  it("before any rotation: one signature, one active secret", async () => {
    const { header, body } = await deliver(callback(acct.accountId));
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(await verifyEdgecron(acct.signingSecret, header, body)).toBe(true);
    const status = await api(`/v1/cron-jobs/${acct.accountId}/signing-secret`, { headers: acct.headers });
    expect(status.body).toEqual({ data: { active_secrets: 1, previous_secrets: [] } });
  });

  it("a callback queued before the rotation verifies with either secret during the grace; after it only the new one signs", async () => {
    const queued = callback(acct.accountId); // queued now, delivered after the rotation
    const t0 = Date.now();
    const res = await rotate(acct); // no body: the default 24 h grace
    expect(res.status).toBe(200);
    const { signing_secret, previous_secret_expires_at, rotated_at } = res.body.data;
    expect(signing_secret).toMatch(/^whsec_/);
    expect(signing_secret).not.toBe(acct.signingSecret);
    const grace = Date.parse(previous_secret_expires_at) - Date.parse(rotated_at);
    expect(Math.abs(grace - 86_400_000)).toBeLessThan(1000);
    expect(Date.parse(rotated_at)).toBeGreaterThanOrEqual(Math.floor(t0 / 1000) * 1000);

    const during = await deliver(queued);
    expect(during.header).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(await verifyEdgecron(signing_secret, during.header, during.body)).toBe(true);
    expect(await verifyEdgecron(acct.signingSecret, during.header, during.body)).toBe(true);
    expect(await verifyEdgecron("whsec_other", during.header, during.body)).toBe(false);

    const status = await api(`/v1/cron-jobs/${acct.accountId}/signing-secret`, { headers: acct.headers });
    expect(status.body.data.active_secrets).toBe(2);
    expect(status.body.data.previous_secrets).toEqual([
      { retired_at: rotated_at, expires_at: previous_secret_expires_at },
    ]);
    expect(JSON.stringify(status.body)).not.toMatch(/whsec_/);

    // The grace period ends.
    await shardD1()
      .prepare("UPDATE retired_signing_secrets SET expires_at = ? WHERE account_id = ?")
      .bind(Date.now() - 1, acct.accountId)
      .run();
    const after = await deliver(callback(acct.accountId));
    expect(after.header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(await verifyEdgecron(signing_secret, after.header, after.body)).toBe(true);
    expect(await verifyEdgecron(acct.signingSecret, after.header, after.body)).toBe(false);
    acct.signingSecret = signing_secret;
  });

  it("rotating twice within the grace keeps both older secrets signing; grace_seconds 0 is a hard cut", async () => {
    const a = await createAccount("Rotation twice");
    const first = (await rotate(a, { grace_seconds: 3600 })).body.data.signing_secret as string;
    const second = (await rotate(a, { grace_seconds: 60 })).body.data.signing_secret as string;
    const secrets = await activeSigningSecrets(createDb(shardD1()), a.accountId, Date.now());
    expect(secrets).toEqual([second, first, a.signingSecret]);
    const d = await deliver(callback(a.accountId));
    for (const s of [a.signingSecret, first, second]) expect(await verifyEdgecron(s, d.header, d.body)).toBe(true);

    const queued = callback(a.accountId); // queued before the cut, sent after it
    const cut = await rotate(a, { grace_seconds: 0 });
    expect(cut.body.data.previous_secret_expires_at).toBe(cut.body.data.rotated_at);
    const current = cut.body.data.signing_secret as string;
    // The hard cut drops the secret it replaced and every earlier one still in its grace.
    expect(await activeSigningSecrets(createDb(shardD1()), a.accountId, Date.now())).toEqual([current]);
    const status = await api(`/v1/cron-jobs/${a.accountId}/signing-secret`, { headers: a.headers });
    expect(status.body).toEqual({ data: { active_secrets: 1, previous_secrets: [] } });

    const cb = await deliver(queued);
    expect(cb.header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(await verifyEdgecron(current, cb.header, cb.body)).toBe(true);
    for (const s of [a.signingSecret, first, second]) expect(await verifyEdgecron(s, cb.header, cb.body)).toBe(false);

    const req = await sendRequest(a);
    expect(req.header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(await verifyRequest(current, req)).toBe(true);
    for (const s of [a.signingSecret, first, second]) expect(await verifyRequest(s, req)).toBe(false);
  });

  it("a secret rotated out 30 minutes earlier with a 24 h grace stops signing at a grace-0 rotation", async () => {
    const a = await createAccount("Rotation after a leak");
    const replaced = (await rotate(a)).body.data;
    const thirtyMinutesAgo = Date.now() - 30 * 60_000;
    await shardD1()
      .prepare("UPDATE retired_signing_secrets SET retired_at = ?, expires_at = ? WHERE account_id = ?")
      .bind(thirtyMinutesAgo, thirtyMinutesAgo + 86_400_000, a.accountId)
      .run();
    const before = await sendRequest(a);
    expect(await verifyRequest(a.signingSecret, before)).toBe(true); // still in its grace

    const cut = (await rotate(a, { grace_seconds: 0 })).body.data.signing_secret as string;
    const req = await sendRequest(a);
    expect(req.header.match(/v1=/g)).toHaveLength(1);
    expect(await verifyRequest(cut, req)).toBe(true);
    expect(await verifyRequest(a.signingSecret, req)).toBe(false);
    expect(await verifyRequest(replaced.signing_secret, req)).toBe(false);
    const cb = await deliver(callback(a.accountId));
    expect(cb.header.match(/v1=/g)).toHaveLength(1);
    expect(await verifyEdgecron(a.signingSecret, cb.header, cb.body)).toBe(false);
  });

  it("revoke-retired drops every retired secret now and answers the new status; the current secret stays", async () => {
    const a = await createAccount("Revoke retired");
    const first = (await rotate(a, { grace_seconds: 3600 })).body.data.signing_secret as string;
    const second = (await rotate(a, { grace_seconds: 86_400 })).body.data.signing_secret as string;
    const queued = callback(a.accountId);
    const status = await api(`/v1/cron-jobs/${a.accountId}/signing-secret`, { headers: a.headers });
    expect(status.body.data.active_secrets).toBe(3);

    const res = await revokeRetired(a);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { active_secrets: 1, previous_secrets: [] } });
    expect(await activeSigningSecrets(createDb(shardD1()), a.accountId, Date.now())).toEqual([second]);
    const cb = await deliver(queued);
    expect(cb.header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(await verifyEdgecron(second, cb.header, cb.body)).toBe(true);
    expect(await verifyEdgecron(first, cb.header, cb.body)).toBe(false);
    expect(await verifyEdgecron(a.signingSecret, cb.header, cb.body)).toBe(false);
    const req = await sendRequest(a);
    expect(req.header.match(/v1=/g)).toHaveLength(1);
    expect(await verifyRequest(second, req)).toBe(true);

    // Nothing retired: a no-op with the same answer.
    expect((await revokeRetired(a)).body).toEqual({ data: { active_secrets: 1, previous_secrets: [] } });
  });

  it("validates grace_seconds and refuses read-only keys", async () => {
    const bad = await rotate(acct, { grace_seconds: -1, other: true });
    expect((expectProblem(bad, 400).errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual([
      "grace_seconds",
      "other",
    ]);
    expectProblem(await rotate(acct, { grace_seconds: 31 * 86_400 }), 400);
    const key = await api(`/v1/cron-jobs/${acct.accountId}/keys`, {
      method: "POST",
      headers: { ...acct.headers, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "ro", scope: "read_only" }),
    });
    const ro = { "X-API-Key": key.body.data.id, "X-API-Secret": key.body.data.api_secret };
    expectProblem(await rotate({ ...acct, headers: ro }), 403);
    expectProblem(await revokeRetired({ ...acct, headers: ro }), 403);
    expect((await api(`/v1/cron-jobs/${acct.accountId}/signing-secret`, { headers: ro })).status).toBe(200);
  });

  it("an unknown account's callback is refused, not sent unsigned", async () => {
    const rx = receiver();
    const msg = callback("00000000-0000-4000-8000-00000000dead");
    expect(await deliverCallback({ ...testDeps(), fetch: rx.fetch }, msg)).toBe("refused");
    expect(rx.calls).toHaveLength(0);
  });
});

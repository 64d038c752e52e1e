/**
 * Write-only secrets (README "Security"): secret header values, secret query parameters, a secret body and bearer
 * alert-channel URLs are stored sealed (AES-GCM under a per-account key), shown only as redaction tokens to every
 * key scope, kept by sending a token back, copied by clone, and opened only right before a request.
 */
import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { config } from "../../src/config";
import type { CronJobRow } from "../../src/db/schema";
import { insertDeliveryStatement } from "../../src/deliveries/store";
import { callbackEntry, deliverCallback } from "../../src/engine/callbacks";
import { deliver } from "../../src/engine/deliver";
import { triggerNow } from "../../src/engine/trigger";
import { findLiveJob } from "../../src/jobs/repository";
import { sealJob, unsealJob } from "../../src/jobs/secrets";
import { encryptSecrets } from "../../src/jobs/secrets-encrypt";
import type { ExecutionRequest, Executor } from "../../src/lib/execution";
import type { CallbackMessage } from "../../src/lib/messages";
import { parseKeyring } from "../../src/lib/secrets/keyring";
import { d1Runner } from "../../src/shards/d1-runner";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { testDeps } from "../helpers/engine";
import { db, insertJob } from "../helpers/fixtures";
import { api, expectProblem } from "../helpers/http";
import { jobsApi } from "../helpers/jobs";
import { shardD1 } from "../helpers/shards";
import { callWith } from "../http/app-env";

const TOKEN = /^\[redacted:[0-9a-f]{8}\]$/;
const SECRETS = {
  bearer: "Bearer sk_live_4f9a8b7c6d5e",
  apiKey: "ak_0123456789abcdef",
  tenant: "tenant-secret-77",
  query: "q-secret-value-42",
  callbackQuery: "cb-secret-99",
  body: '{"password":"hunter2-body"}',
  slack: "https://hooks.slack.com/services/T000/B000/XXXXXXXXSECRET",
};

const secretJob = () => ({
  name: "Secret job",
  endpoint_url: `https://api.example.com/run?api_key=${SECRETS.query}&plain=1`,
  method: "POST",
  headers: {
    Authorization: SECRETS.bearer,
    "X-Api-Key": SECRETS.apiKey,
    "X-Tenant": SECRETS.tenant,
    "Content-Type": "application/json",
  },
  secret_headers: ["X-Tenant"],
  secret_query_params: ["api_key", "sig"],
  body: SECRETS.body,
  body_is_secret: true,
  timezone: "UTC",
  schedule_config: { repeat_type: "days", time: "09:00" },
  callbacks: { failure_url: `https://cb.example.com/fail?sig=${SECRETS.callbackQuery}` },
  alerts: { channels: [{ type: "slack", url: SECRETS.slack }] },
});

function expectNoSecret(text: string) {
  for (const value of Object.values(SECRETS)) expect(text).not.toContain(value);
  expect(text).not.toContain("hunter2");
}

let acct: TestAccount;
let ro: Record<string, string>;
let jobs: ReturnType<typeof jobsApi>;
let jobId: string;
let created: Record<string, unknown> & { headers: Record<string, string> };

beforeAll(async () => {
  acct = await createAccount("Secrets");
  jobs = jobsApi(acct);
  const key = await api(`/v1/cron-jobs/${acct.accountId}/keys`, {
    method: "POST",
    headers: { ...acct.headers, "Content-Type": "application/json" },
    body: JSON.stringify({ name: "dashboards", scope: "read_only" }),
  });
  ro = { "X-API-Key": key.body.data.id, "X-API-Secret": key.body.data.api_secret };
  const res = await jobs.create(secretJob());
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  created = res.body.data;
  jobId = res.body.data.id;
});

const rawRow = async (id: string) =>
  (await shardD1().prepare("SELECT * FROM cron_jobs WHERE id = ?").bind(id).first()) as Record<string, unknown>;

describe("every response shows secrets as redaction tokens", () => {
  it("the create echo: secret headers, query values, body and channel URLs are tokens; the rest is as sent", () => {
    expectNoSecret(JSON.stringify(created));
    expect(created.headers.Authorization).toMatch(TOKEN);
    expect(created.headers["X-Api-Key"]).toMatch(TOKEN);
    expect(created.headers["X-Tenant"]).toMatch(TOKEN);
    expect(created.headers["Content-Type"]).toBe("application/json");
    expect(created.body).toMatch(TOKEN);
    expect(created.endpoint_url).toMatch(
      /^https:\/\/api\.example\.com\/run\?api_key=\[redacted:[0-9a-f]{8}\]&plain=1$/,
    );
    expect(created.failure_callback_url).toMatch(/\?sig=\[redacted:[0-9a-f]{8}\]$/);
    expect((created.callbacks as { failure_url: string }).failure_url).toBe(created.failure_callback_url);
    const channel = (created.alerts as { channels: Array<{ url: string }> }).channels[0];
    expect(channel?.url).toMatch(/^https:\/\/hooks\.slack\.com\/…\[redacted:[0-9a-f]{8}\]$/);
    expect(created).toMatchObject({ secret_headers: ["X-Tenant"], secret_query_params: ["api_key", "sig"] });
    expect(created.body_is_secret).toBe(true);
  });

  it("details and list, for a full and a read-only key, show the same tokens", async () => {
    for (const headers of [acct.headers, ro]) {
      const details = await api(`/v1/cron-jobs/${acct.accountId}/details/${jobId}`, { headers });
      expect(details.status).toBe(200);
      expectNoSecret(JSON.stringify(details.body));
      expect(details.body.data.headers).toEqual(created.headers);
      const list = await api(`/v1/cron-jobs/${acct.accountId}/list`, { headers });
      expectNoSecret(JSON.stringify(list.body));
    }
  });

  it("a token is stable for a value and differs between values", async () => {
    const again = await jobs.create({ ...secretJob(), name: "Same secrets" });
    expect(again.body.data.headers.Authorization).toBe(created.headers.Authorization);
    expect(created.headers.Authorization).not.toBe(created.headers["X-Api-Key"]);
  });

  it("an idempotent replay of a create carries tokens, and the stored response holds no secret", async () => {
    const headers = { ...acct.headers, "Content-Type": "application/json", "Idempotency-Key": "secret-replay-1" };
    const init = { method: "POST", headers, body: JSON.stringify({ ...secretJob(), name: "Idempotent" }) };
    const first = await api(`/v1/cron-jobs/${acct.accountId}/create`, init);
    const replay = await api(`/v1/cron-jobs/${acct.accountId}/create`, init);
    expect(replay.body).toEqual(first.body);
    expectNoSecret(JSON.stringify(replay.body));
    const stored = await shardD1().prepare("SELECT * FROM idempotency_keys").all();
    expectNoSecret(JSON.stringify(stored.results));
  });
});

describe("stored sealed", () => {
  it("no secret value is in clear in the job's D1 row", async () => {
    const row = await rawRow(jobId);
    expectNoSecret(JSON.stringify(row));
    const sealed = JSON.parse(row.secrets as string) as Record<string, string>;
    expect(Object.keys(sealed)).toHaveLength(7);
    for (const v of Object.values(sealed)) expect(v).toMatch(/^v1\.test\.[\w-]+\.[\w-]+$/);
  });

  it("a sealed value moved to another job does not open (the job is in its additional data)", async () => {
    const row = (await findLiveJob(db(), jobId)) as CronJobRow;
    const other = await jobs.create({ ...secretJob(), name: "Other" });
    const target = (await findLiveJob(db(), other.body.data.id)) as CronJobRow;
    await expect(unsealJob(config(env).secrets, { ...target, secrets: row.secrets })).rejects.toThrow();
  });

  it("the executor gets every value in clear, right before the request", async () => {
    const seen: ExecutionRequest[] = [];
    const executor: Executor = {
      async execute(req) {
        seen.push(req);
        return {
          status: "success",
          responseCode: 200,
          responseBody: "ok",
          errorMessage: null,
          responseTimeMs: 1,
          retryAfterSeconds: null,
        };
      },
    };
    const row = (await findLiveJob(db(), jobId)) as CronJobRow;
    await triggerNow(testDeps({ executor }), row);
    const req = seen[0] as ExecutionRequest;
    expect(req.endpointUrl).toBe(`https://api.example.com/run?api_key=${SECRETS.query}&plain=1`);
    expect(req.body).toBe(SECRETS.body);
    const headers = new Headers(req.headers);
    expect(headers.get("authorization")).toBe(SECRETS.bearer);
    expect(headers.get("x-api-key")).toBe(SECRETS.apiKey);
    expect(headers.get("x-tenant")).toBe(SECRETS.tenant);
  });

  it("a callback message and the outbox carry the token; the delivery fills in the value", async () => {
    const row = (await findLiveJob(db(), jobId)) as CronJobRow;
    const result = {
      status: "failure" as const,
      responseCode: 500,
      responseBody: null,
      errorMessage: "x",
      responseTimeMs: 1,
      retryAfterSeconds: null,
    };
    const entry = callbackEntry(row, {
      executionId: "e1",
      executedAt: Date.now(),
      attempt: 0,
      result,
      nextRetryAt: null,
    });
    const msg = entry?.entry.message as CallbackMessage;
    expectNoSecret(JSON.stringify(msg));
    expectNoSecret(JSON.stringify(entry?.delivery));
    if (entry) await insertDeliveryStatement(db(), entry.delivery, sql`1`);
    const urls: string[] = [];
    const deps = testDeps({
      fetch: async (input) => {
        urls.push(String(input));
        return new Response("ok");
      },
    });
    expect(await deliverCallback({ ...deps, cfg: { ...deps.cfg, CALLBACKS: "send" } }, msg)).toBe("delivered");
    expect(urls).toEqual([`https://cb.example.com/fail?sig=${SECRETS.callbackQuery}`]);
  });
});

describe("alert deliveries", () => {
  it("fill the channel URL in at delivery and never store it in clear in last_error", async () => {
    const target = (created.alerts as { channels: Array<{ url: string }> }).channels[0]?.url as string;
    const id = `${crypto.randomUUID()}:alert:failure:0`;
    await shardD1()
      .prepare(
        "INSERT INTO deliveries (id, account_id, source, source_id, execution_id, kind, event, channel, target, payload, fired_at) VALUES (?, ?, 'job', ?, ?, 'alert', 'failure', 'slack', ?, '{}', ?)",
      )
      .bind(id, acct.accountId, jobId, "e-alert", target, Date.now())
      .run();
    const urls: string[] = [];
    const deps = testDeps({
      fetch: async (input) => {
        urls.push(String(input));
        throw new Error(`connect failed for ${String(input)}`);
      },
    });
    await deliver(
      { ...deps, cfg: { ...deps.cfg, CALLBACKS: "send" } },
      { type: "alert", accountId: acct.accountId, deliveryId: id, attempt: 0 },
    );
    expect(urls).toEqual([SECRETS.slack]);
    const row = await shardD1().prepare("SELECT target, last_error FROM deliveries WHERE id = ?").bind(id).first();
    expectNoSecret(JSON.stringify(row));
    expect(row).toMatchObject({ target, last_error: `connect failed for ${target}` });
  });
});

describe("round trips keep secrets", () => {
  it("a job read and sent back whole keeps every value; a changed value replaces its own", async () => {
    const read = (await jobs.details(jobId)).body.data;
    const res = await jobs.update(jobId, {
      ...read,
      headers: { ...read.headers, "X-Api-Key": "ak_new_value_1" },
      name: "Renamed",
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.headers.Authorization).toBe(read.headers.Authorization);
    expect(res.body.data.headers["X-Api-Key"]).not.toBe(read.headers["X-Api-Key"]);
    const plain = await unsealJob(config(env).secrets, (await findLiveJob(db(), jobId)) as CronJobRow);
    expect(JSON.parse(plain.headers)).toMatchObject({ Authorization: SECRETS.bearer, "X-Api-Key": "ak_new_value_1" });
    expect(plain.body).toBe(SECRETS.body);
    expect(plain.endpointUrl).toContain(`api_key=${SECRETS.query}`);
    expect(plain.failureCallbackUrl).toContain(`sig=${SECRETS.callbackQuery}`);
    expect(JSON.parse(plain.alertPolicy as string).channels[0].url).toBe(SECRETS.slack);
  });

  it("header names match case-insensitively", async () => {
    const read = (await jobs.details(jobId)).body.data;
    const res = await jobs.update(jobId, { headers: { authorization: read.headers.Authorization } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const plain = await unsealJob(config(env).secrets, (await findLiveJob(db(), jobId)) as CronJobRow);
    expect(JSON.parse(plain.headers)).toEqual({ authorization: SECRETS.bearer });
  });

  it("a token with no stored value in its place is a 400 naming each field", async () => {
    const res = await jobs.update(jobId, {
      headers: { "X-Other-Token": "[redacted:0badc0de]" },
      endpoint_url: "https://api.example.com/run?token=[redacted:0badc0de]",
      alerts: { channels: [{ type: "discord", url: "https://discord.com/…[redacted:0badc0de]" }] },
    });
    const problem = expectProblem(res, 400);
    const fields = (problem.errors as Array<{ field: string }>).map((e) => e.field).sort();
    expect(fields).toEqual(["alerts.channels.0.url", "endpoint_url", "headers.X-Other-Token"]);
  });

  it("a token in a create is a 400 naming the field", async () => {
    const res = await jobs.create({ ...secretJob(), headers: { Authorization: "[redacted:12345678]" } });
    const problem = expectProblem(res, 400);
    expect(problem.errors).toEqual([expect.objectContaining({ field: "headers.Authorization" })]);
  });
});

describe("clone", () => {
  it("copies the secrets on the server, shows tokens, and starts paused", async () => {
    const source = (await jobs.create({ ...secretJob(), name: "Clone me" })).body.data;
    const res = await jobs.send("POST", `/clone/${source.id}`);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const copy = res.body.data;
    expectNoSecret(JSON.stringify(copy));
    expect(copy).toMatchObject({ name: "Clone me (copy)", is_active: false, state: "paused" });
    expect(copy.id).not.toBe(source.id);
    expect(copy.headers).toEqual(source.headers);
    const plain = await unsealJob(config(env).secrets, (await findLiveJob(db(), copy.id)) as CronJobRow);
    expect(JSON.parse(plain.headers).Authorization).toBe(SECRETS.bearer);
    expect(plain.body).toBe(SECRETS.body);
    const named = await jobs.send("POST", `/clone/${source.id}`, { name: "Twin", is_active: true });
    expect(named.body.data).toMatchObject({ name: "Twin", is_active: true });
  });

  it("a read-only key may not clone; an unknown job is a 404", async () => {
    const r = await api(`/v1/cron-jobs/${acct.accountId}/clone/${jobId}`, { method: "POST", headers: ro });
    expect(r.status).toBe(403);
    const missing = await jobs.send("POST", `/clone/${crypto.randomUUID()}`);
    expect(missing.status).toBe(404);
  });
});

describe("without a master key the service fails closed", () => {
  const noKey = { SECRETS_MASTER_KEY: "" } as unknown as Partial<Env>;
  const post = (body: unknown) =>
    callWith(noKey, `/v1/cron-jobs/${acct.accountId}/create`, {
      method: "POST",
      headers: { ...acct.headers, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });

  it("a write carrying secrets is a 503 naming the missing configuration; one without secrets succeeds", async () => {
    const refused = await post(secretJob());
    expectProblem(refused, 503, /SECRETS_MASTER_KEY/);
    const plain = await post({
      ...secretJob(),
      headers: { "Content-Type": "text/plain" },
      body: null,
      body_is_secret: false,
      secret_query_params: [],
      callbacks: {},
      alerts: { channels: [] },
    });
    expect(plain.status, plain.text).toBe(201);
  });

  it("the executor refuses a job with secrets and logs master_key_missing", async () => {
    const deps = testDeps();
    const cfg = { ...deps.cfg, secrets: parseKeyring(undefined, undefined) };
    let called = false;
    const executor: Executor = {
      async execute() {
        called = true;
        throw new Error("must not run");
      },
    };
    const row = (await findLiveJob(db(), jobId)) as CronJobRow;
    const outcome = await triggerNow({ ...deps, cfg, executor }, row);
    expect(called).toBe(false);
    expect(outcome?.result).toMatchObject({
      status: "error",
      errorMessage: expect.stringMatching(/^master_key_missing/),
    });
  });
});

describe("rows stored in clear before sealing", () => {
  it("read redacted, run in clear, and are sealed by secrets:encrypt (resumable, reports what is left)", async () => {
    const legacy = await insertJob(acct.accountId, {
      headers: JSON.stringify({ Authorization: SECRETS.bearer, Accept: "text/plain" }),
      nextRunAt: Date.UTC(2099, 0, 1),
    });
    const details = await jobs.details(legacy.id);
    expect(details.body.data.headers).toMatchObject({
      Authorization: expect.stringMatching(TOKEN),
      Accept: "text/plain",
    });
    const ring = config(env).secrets;
    const row = (await findLiveJob(db(), legacy.id)) as CronJobRow;
    expect(row.secrets).toBeNull();
    expect(JSON.parse((await unsealJob(ring, row)).headers).Authorization).toBe(SECRETS.bearer);

    if (!ring.ok) throw new Error("the tests configure a master key");
    const report = await encryptSecrets(d1Runner(shardD1()), ring.keyring, { chunk: 2 });
    expect(report.failed).toEqual([]);
    expect(report.plaintextLeft).toBe(0);
    const after = await rawRow(legacy.id);
    expectNoSecret(JSON.stringify(after));
    const reread = (await findLiveJob(db(), legacy.id)) as CronJobRow;
    expect(JSON.parse((await unsealJob(ring, reread)).headers).Authorization).toBe(SECRETS.bearer);
    // A second run finds nothing left to do.
    expect((await encryptSecrets(d1Runner(shardD1()), ring.keyring)).sealed).toBe(0);
  });

  it("after a master-key rotation, secrets:encrypt re-seals under the new key and old values still open", async () => {
    const ring = config(env).secrets;
    if (!ring.ok) throw new Error("the tests configure a master key");
    const next = { id: "next", bytes: crypto.getRandomValues(new Uint8Array(32)) };
    const rotated = { current: next, previous: [ring.keyring.current] };
    const row = (await findLiveJob(db(), jobId)) as CronJobRow;
    const report = await encryptSecrets(d1Runner(shardD1()), rotated);
    expect(report.sealed).toBeGreaterThan(0);
    const resealed = await rawRow(jobId);
    expect(resealed.secrets).toMatch(/"v1\.next\./);
    expect(resealed.secrets).not.toMatch(/"v1\.test\./);
    const plain = await unsealJob({ ok: true, keyring: rotated }, (await findLiveJob(db(), jobId)) as CronJobRow);
    expect(JSON.parse(plain.headers)).toEqual(JSON.parse((await unsealJob(ring, row)).headers));
    // Put the test key back for the other tests in this file (none follow, but keep the row usable).
    await encryptSecrets(d1Runner(shardD1()), { current: ring.keyring.current, previous: [next] });
  });
});

describe("sealJob", () => {
  it("a job without secrets needs no key and stores an empty map", async () => {
    const row = await insertJob(acct.accountId);
    const sealed = await sealJob(parseKeyring(undefined, undefined), {
      ...row,
      headers: "{}",
      body: null,
      callbacks: "{}",
      alertPolicy: null,
      successCallbackUrl: null,
      failureCallbackUrl: null,
      secretHeaders: "[]",
      secretQueryParams: "[]",
      bodyIsSecret: false,
    } as CronJobRow);
    expect(sealed.secrets).toBe("{}");
  });
});

/**
 * No secret is stored in clear (README "Security"): after jobs full of secrets are created, updated, cloned,
 * triggered, run against a target that echoes them, alerted about and called back through the API and the engine,
 * every row of every table of every shard and of the control plane is read raw (sqlite_master, SELECT *) and no
 * secret header value, query value, body, alert-channel URL, API secret or signing secret may appear in any column
 * but the two that hold signing secrets by design. The captured queue messages are read too.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { CronJobRow } from "../../src/db/schema";
import { deliverCallback } from "../../src/engine/callbacks";
import { deliver } from "../../src/engine/deliver";
import { createHttpExecutor } from "../../src/engine/executors/http";
import { triggerNow } from "../../src/engine/trigger";
import { findLiveJob } from "../../src/jobs/repository";
import type { AlertMessage, CallbackMessage } from "../../src/lib/messages";
import { shardBinding, shardCount } from "../../src/shards/bindings";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { FAIL_500, scriptedExecutor, testDeps } from "../helpers/engine";
import { db } from "../helpers/fixtures";
import { captureQueue } from "../helpers/queue";
import { cellText, leaksIn, type Needles, secretJob } from "../helpers/secrets";
import { callWith } from "../http/app-env";

const S = secretJob();
const needles: Needles = { ...S.needles };
const queue = captureQueue();
const sent: unknown[] = [];
let acct: TestAccount;
let base: string;

/**
 * Columns that hold a secret in clear by design, excluded from the scan: the account's signing secret (current
 * and retired ones) signs every request and callback with HMAC, so it must be readable; it is the account's own
 * secret, not a customer's credential, and never shown after its rotation response.
 */
const CLEAR_BY_DESIGN = new Set(["accounts.signing_secret", "retired_signing_secrets.secret"]);

async function send(path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) {
  const headers = { ...acct.headers, ...(init.headers ?? {}) };
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  const res = await callWith({ RUNS: queue as unknown as Queue }, `${base}${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  expect(res.status, `${path}: ${res.text.slice(0, 300)}`).toBeLessThan(300);
  return res.body.data;
}

const row = async (id: string) => (await findLiveJob(db(), id)) as CronJobRow;

/** A failing run through the engine: its callback and alerts go to the outbox, then to `queue` unless it fails. */
async function failingRun(id: string, { queueDown }: { queueDown: boolean }) {
  const deps = testDeps({ executor: scriptedExecutor(FAIL_500) });
  if (queueDown) deps.queue.failOnce();
  await (queueDown ? expect(triggerNow(deps, await row(id))).rejects.toThrow() : triggerNow(deps, await row(id)));
  const messages = deps.queue.take();
  sent.push(...messages);
  return { deps, messages: messages.map((m) => m.body) };
}

beforeAll(async () => {
  acct = await createAccount("Secrets at rest");
  base = `/v1/cron-jobs/${acct.accountId}`;
  needles.apiSecret = acct.apiSecret;
  const roKey = await send("/keys", { method: "POST", body: { name: "read-only", scope: "read_only" } });
  needles.apiSecretReadOnly = roKey.api_secret;
  needles.signingSecret = acct.signingSecret;
  needles.rotatedSigningSecret = (await send("/signing-secret/rotate", { method: "POST" })).signing_secret;

  // Created, created again idempotently (the stored response), read back and sent back whole, a secret replaced.
  const main = await send("/create", { method: "POST", body: S.job({ name: "Main" }) });
  await send("/create", { method: "POST", headers: { "Idempotency-Key": "at-rest-1" }, body: S.job({ name: "Idem" }) });
  await send("/create", { method: "POST", headers: { "Idempotency-Key": "at-rest-1" }, body: S.job({ name: "Idem" }) });
  const read = await send(`/details/${main.id}`);
  await send(`/update/${main.id}`, { method: "PATCH", body: { ...read, description: "sent back whole" } });
  needles.replacedApiKey = S.core("replacedapikey");
  needles.addedSecretHeader = S.core("addedheader");
  await send(`/update/${main.id}`, {
    method: "PATCH",
    body: {
      headers: { ...read.headers, "X-Api-Key": needles.replacedApiKey, "X-Extra-Token": needles.addedSecretHeader },
    },
  });

  // A clone (secrets copied on the server), made active, and the runs: manual ones through the API, idempotently too.
  const clone = await send(`/clone/${main.id}`, { method: "POST", body: { is_active: true } });
  await send(`/trigger/${main.id}`, { method: "POST" });
  await send(`/trigger/${main.id}`, { method: "POST", headers: { "Idempotency-Key": "at-rest-trigger" } });

  // Failing runs: one whose follow-ups stay in the outbox (the queue is down), one whose alerts and callback are
  // delivered (a 500, a network error, an accepted one), so delivery rows hold their attempts.
  await failingRun(main.id, { queueDown: true });
  const { deps, messages } = await failingRun(clone.id, { queueDown: false });
  let n = 0;
  const fetch = (async () => {
    n++;
    if (n % 3 === 1) return new Response("no", { status: 500 });
    if (n % 3 === 2) throw new Error("Network connection lost.");
    return new Response("ok");
  }) as unknown as typeof globalThis.fetch;
  for (const m of messages) {
    if (m.type === "alert") await deliver({ ...deps, fetch }, m as AlertMessage);
    if (m.type === "callback") await deliverCallback({ ...deps, fetch }, m as CallbackMessage);
  }

  // A run against a target that echoes the request back.
  const target = `http://127.0.0.1:${inject("targetPort")}/echo?api_key=${S.values.query}`;
  const echo = await send("/create", { method: "POST", body: S.job({ name: "Echo", endpoint_url: target }) });
  const httpDeps = testDeps({ executor: createHttpExecutor({ allowPrivateTargets: true }) });
  await triggerNow(httpDeps, await row(echo.id));
  sent.push(...httpDeps.queue.take());
});

/** Every table of a database (its own, not SQLite's, D1's or miniflare's) with every row. */
async function dump(d1: D1Database, label: string) {
  const { results: tables } = await d1
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .all<{ name: string }>();
  const out: Array<{ table: string; rows: Record<string, unknown>[] }> = [];
  for (const { name } of tables) {
    if (["sqlite_", "_cf_", "d1_"].some((p) => name.startsWith(p))) continue;
    const { results } = await d1.prepare(`SELECT * FROM "${name}"`).all<Record<string, unknown>>();
    out.push({ table: name, rows: results });
  }
  return { label, tables: out };
}

describe("no secret is stored in clear", () => {
  it("in any column of any row of any shard or the control plane", async () => {
    const databases = [await dump(env.DB, "control")];
    for (let shard = 0; shard < shardCount(env); shard++) {
      databases.push(await dump(shardBinding(env, shard), `shard ${shard}`));
    }
    const found: string[] = [];
    const clearByDesign: string[] = [];
    const rowsPerTable: Record<string, number> = {};
    for (const { label, tables } of databases) {
      for (const { table, rows } of tables) {
        rowsPerTable[table] = (rowsPerTable[table] ?? 0) + rows.length;
        for (const r of rows) {
          for (const [column, value] of Object.entries(r)) {
            const hits = leaksIn(cellText(value), needles).map((leak) => `${table}.${column}: ${leak}`);
            if (CLEAR_BY_DESIGN.has(`${table}.${column}`)) clearByDesign.push(...hits);
            else found.push(...hits.map((hit) => `${label} ${hit}`));
          }
        }
      }
    }
    expect(found).toEqual([]);
    // The scan finds what is there: the signing secrets, where they are stored in clear by design.
    expect(clearByDesign.sort()).toEqual([
      "accounts.signing_secret: rotatedSigningSecret",
      "retired_signing_secrets.secret: signingSecret",
    ]);
    // The scan saw every place a secret could have gone.
    for (const table of [
      "cron_jobs",
      "logs",
      "runs",
      "outbox",
      "deliveries",
      "idempotency_keys",
      "api_keys",
      "accounts",
    ]) {
      expect(rowsPerTable[table], table).toBeGreaterThan(0);
    }
  });

  it("the sealed values are there: each secret job row has a secrets map of v1 ciphertexts", async () => {
    const { results } = await shardBinding(env, acct.shard)
      .prepare("SELECT name, secrets FROM cron_jobs WHERE account_id = ?")
      .bind(acct.accountId)
      .all<{ name: string; secrets: string }>();
    expect(results.length).toBeGreaterThanOrEqual(4);
    for (const r of results) {
      const sealed = Object.values(JSON.parse(r.secrets) as Record<string, string>);
      expect(sealed.length, r.name).toBeGreaterThanOrEqual(15);
      for (const v of sealed) expect(v).toMatch(/^v1\.test\.[\w-]+\.[\w-]+$/);
    }
  });

  it("nor in any queue message sent (runs, callbacks, alerts)", () => {
    expect(queue.sent.length + sent.length).toBeGreaterThan(0);
    expect(leaksIn(JSON.stringify([queue.sent, sent]), needles)).toEqual([]);
  });
});

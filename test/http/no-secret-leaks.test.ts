/**
 * No response gives a secret away (README "Security"). Every route of the app — each operation of /openapi.json
 * and every other route the app registers (dashboard, /docs, the confirmation page) — is walked with a full and a
 * read-only key, over an account holding a job full of secrets with runs, logs, alert deliveries, an idempotent
 * create, a run against a loopback target that echoes the request, a rotated signing secret, extra keys and a
 * monitor alerting on the same channels (pings, being unauthenticated, are sent as a job would). No response body or
 * header may contain a secret header value, secret query value, secret body, alert-channel URL path, signing secret
 * or API secret, except the one response that creates that API key or signing secret, nor the ping key, except the
 * monitor responses a full key reads (and the rotation that makes it). A route without a walker below fails the
 * suite, so a new route cannot go unchecked. Problems that quote input are sent secrets next to bad fields and must
 * not echo them.
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import type { OutgoingEmail } from "../../src/alerts/mailer";
import { createApp } from "../../src/app";
import type { CronJobRow } from "../../src/db/schema";
import { deliver } from "../../src/engine/deliver";
import { createHttpExecutor } from "../../src/engine/executors/http";
import { triggerNow } from "../../src/engine/trigger";
import { MAX_BODY_BYTES } from "../../src/http/limits";
import { findLiveJob } from "../../src/jobs/repository";
import { MAX_BODY_CHARS } from "../../src/jobs/schemas";
import type { AlertMessage } from "../../src/lib/messages";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { FAIL_500, scriptedExecutor, testDeps } from "../helpers/engine";
import { db } from "../helpers/fixtures";
import { captureQueue } from "../helpers/queue";
import { leaksIn, type Needles, secretJob } from "../helpers/secrets";
import { callWith } from "./app-env";

type Who = "full" | "read_only";
interface Recorded {
  label: string;
  status: number;
  text: string;
  excused: Set<string>;
}

const S = secretJob();
const needles: Needles = { ...S.needles };
const recorded: Recorded[] = [];
const emails: OutgoingEmail[] = [];
const queue = captureQueue();
const consoleLines: string[] = [];
/** Messages the engine sent from runs outside a request (the alert run below). */
const engineMessages: unknown[] = [];

let acct: TestAccount;
let keys: Record<Who, Record<string, string>>;
let jobId: string;
let base: string;
/** A monitor with the job's secret alert channels; its ping key is a needle for read-only responses. */
let monitorId: string;
let monitorSlug: string;

/** The env every call runs with: a recording EMAIL binding and a capturing RUNS queue (nothing leaves the test). */
const overrides = () =>
  ({
    EMAIL: { send: async (m: OutgoingEmail) => void emails.push(m) } as unknown as SendEmail,
    RUNS: queue as unknown as Queue,
  }) as Partial<Env>;

/**
 * One request, recorded with its status line, every header and the body. `expect` is the status it must get (a
 * walk that only meets 404s proves nothing); `excuse` names needles this one response may show by design.
 */
async function call(
  label: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown; raw?: string } = {},
  opts: { expect?: number | number[]; excuse?: string[]; showsPingKey?: boolean } = {},
) {
  const headers = { ...(init.headers ?? {}) };
  let body: string | undefined = init.raw;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers["Content-Type"] = "application/json";
  }
  const res = await callWith(overrides(), path, { method: init.method ?? "GET", headers, body });
  const headerLines = [...res.headers.entries()].map(([k, v]) => `${k}: ${v}`).join("\n");
  const text = `${headerLines}\n\n${res.text}`;
  // A full key is shown the ping key in monitors' ping_url (README "Monitors"); only where it is there.
  const pingKeys = opts.showsPingKey ? Object.keys(needles).filter((n) => n.startsWith("pingKey_")) : [];
  recorded.push({
    label: `${label} → ${res.status}`,
    status: res.status,
    text,
    excused: new Set([...(opts.excuse ?? []), ...pingKeys.filter((n) => text.includes(needles[n] as string))]),
  });
  if (opts.expect !== undefined) {
    const allowed = Array.isArray(opts.expect) ? opts.expect : [opts.expect];
    expect(allowed, `${label}: ${res.status} ${res.text.slice(0, 300)}`).toContain(res.status);
  }
  return res;
}

/** A write: the full key gets `ok`, a read-only key 403. */
const writeStatus = (who: Who, ok: number) => (who === "full" ? ok : 403);

/** Creates a job with the full key (not recorded twice: `call` records it). */
async function createSecretJob(name: string) {
  const res = await call(
    `create ${name}`,
    `${base}/create`,
    { method: "POST", headers: keys.full, body: S.job({ name }) },
    { expect: 201 },
  );
  return res.body.data.id as string;
}

/** A monitor created with the full key, alerting on the secret job's channels (the first shows the first key). */
async function createSecretMonitor(name: string) {
  const res = await call(
    `create monitor ${name}`,
    `${base}/monitors`,
    {
      method: "POST",
      headers: keys.full,
      body: { name, period_seconds: 3600, alerts: { channels: S.job().alerts.channels } },
    },
    { expect: 201, showsPingKey: true, excuse: ["pingKey_initial"] },
  );
  return res.body.data as { id: string; slug: string; ping_url: string };
}

/** A calendar to read or change (a fresh one when `fresh`, for deletes), created with the full key. */
async function walkedCalendar(fresh = false): Promise<string> {
  if (!fresh && walkedCalendarId) return walkedCalendarId;
  const init = { method: "POST", headers: keys.full, body: { name: "Walked" } };
  const id = (await call("create calendar", `${base}/calendars`, init, { expect: 201 })).body.data.id as string;
  if (!fresh) walkedCalendarId = id;
  return id;
}
let walkedCalendarId: string | undefined;

/** A maintenance window to read or change (a fresh one when `fresh`), created with the full key. */
async function walkedWindow(fresh = false): Promise<string> {
  if (!fresh && walkedWindowId) return walkedWindowId;
  const body = { action: "mute", job_ids: [jobId], start: "2099-01-01T00:00:00Z", end: "2099-01-02T00:00:00Z" };
  const init = { method: "POST", headers: keys.full, body };
  const id = (await call("create window", `${base}/maintenance-windows`, init, { expect: 201 })).body.data.id as string;
  if (!fresh) walkedWindowId = id;
  return id;
}
let walkedWindowId: string | undefined;

/** The ping key now (rotation walks change it), read as a full key sees it; recorded as a needle. */
async function currentPingKey(): Promise<string> {
  const res = await call(
    "monitor for its ping key",
    `${base}/monitors/${monitorId}`,
    { headers: keys.full },
    {
      expect: 200,
      showsPingKey: true,
    },
  );
  const key = new URL(res.body.data.ping_url).pathname.split("/")[2] as string;
  if (!Object.values(needles).includes(key)) needles[`pingKey_${Object.keys(needles).length}`] = key;
  return key;
}

/** The execution ids of the main job's runs, newest first. */
async function executionIds(): Promise<string[]> {
  const res = await call("logs for replay", `${base}/logs/${jobId}`, { headers: keys.full }, { expect: 200 });
  return (res.body.data as Array<{ id: string }>).map((l) => l.id);
}

/**
 * Pings are unauthenticated (the URL is the credential): each walker pings the monitor as a job would, keys sent
 * anyway, and a wrong key or id gets the pings' one 404.
 */
const pingWalkers = {
  bySlug: (method: string, signal?: string) => async (who: Who, h: Record<string, string>) => {
    const key = await currentPingKey();
    const tail = signal ? `/${signal}` : "";
    const raw = method === "POST" ? `walked by ${who}` : undefined;
    await call(
      `ping ${method} slug${tail} (${who})`,
      `/ping/${key}/${monitorSlug}${tail}`,
      { method, headers: h, raw },
      {
        expect: 200,
      },
    );
    await call(
      `ping ${method} wrong key${tail} (${who})`,
      `/ping/${"W".repeat(22)}/${monitorSlug}${tail}`,
      { method, headers: h, raw },
      { expect: 404 },
    );
  },
  byId: (method: string, signal?: string) => async (who: Who, h: Record<string, string>) => {
    const tail = signal ? `/${signal}` : "";
    const raw = method === "POST" ? `walked by ${who}` : undefined;
    await call(
      `ping ${method} id${tail} (${who})`,
      `/ping/${monitorId}${tail}`,
      { method, headers: h, raw },
      {
        expect: 200,
      },
    );
    await call(
      `ping ${method} unknown id${tail} (${who})`,
      `/ping/${crypto.randomUUID()}${tail}`,
      { method, headers: h, raw },
      { expect: 404 },
    );
  },
};

/**
 * One walker per route, keyed `METHOD /path` as /openapi.json writes it ({param}); each is run once with each key.
 */
const WALKERS: Record<string, (who: Who, h: Record<string, string>) => Promise<void>> = {
  "POST /v1/cron-jobs/{accountId}/create": async (who, h) => {
    const init = { method: "POST", headers: h, body: S.job({ name: `Walked create ${who}` }) };
    await call(`create (${who})`, `${base}/create`, init, { expect: writeStatus(who, 201) });
    // An idempotent create and its replay (the stored response is replayed as it was redacted).
    const again = { ...init, headers: { ...h, "Idempotency-Key": `leaks-create-${who}` } };
    await call(`idempotent create (${who})`, `${base}/create`, again, { expect: writeStatus(who, 201) });
    await call(`idempotent replay (${who})`, `${base}/create`, again, { expect: writeStatus(who, 201) });
  },
  "GET /v1/cron-jobs/{accountId}/list": async (who, h) => {
    await call(`list (${who})`, `${base}/list`, { headers: h }, { expect: 200 });
    await call(
      `list filtered (${who})`,
      `${base}/list?search=Leak&tags=leaks&limit=5`,
      { headers: h },
      { expect: 200 },
    );
  },
  "GET /v1/cron-jobs/{accountId}/details/{cron_job_id}": async (who, h) => {
    await call(`details (${who})`, `${base}/details/${jobId}`, { headers: h }, { expect: 200 });
  },
  "PATCH /v1/cron-jobs/{accountId}/update/{cron_job_id}": async (who, h) => {
    const read = (await call(`details before update (${who})`, `${base}/details/${jobId}`, { headers: h })).body.data;
    // The job read and sent back whole (tokens keep every stored value).
    await call(
      `update round trip (${who})`,
      `${base}/update/${jobId}`,
      { method: "PATCH", headers: h, body: { ...read, description: `walked by ${who}` } },
      { expect: writeStatus(who, 200) },
    );
    // A secret replaced by a new value: the new one is as secret as the old.
    needles[`replacedApiKey_${who}`] = S.core(`newapikey${who.replace("_", "")}`);
    await call(
      `update replacing a secret (${who})`,
      `${base}/update/${jobId}`,
      {
        method: "PATCH",
        headers: h,
        body: { headers: { ...read.headers, "X-Api-Key": needles[`replacedApiKey_${who}`] } },
      },
      { expect: writeStatus(who, 200) },
    );
  },
  "DELETE /v1/cron-jobs/{accountId}/delete/{cron_job_id}": async (who, h) => {
    const victim = await createSecretJob(`Deleted by ${who}`);
    await call(
      `delete (${who})`,
      `${base}/delete/${victim}`,
      { method: "DELETE", headers: h },
      { expect: writeStatus(who, 200) },
    );
  },
  "POST /v1/cron-jobs/{accountId}/clone/{cron_job_id}": async (who, h) => {
    await call(
      `clone (${who})`,
      `${base}/clone/${jobId}`,
      { method: "POST", headers: h },
      { expect: writeStatus(who, 201) },
    );
    await call(
      `clone named (${who})`,
      `${base}/clone/${jobId}`,
      { method: "POST", headers: h, body: { name: `Clone by ${who}` } },
      { expect: writeStatus(who, 201) },
    );
  },
  "GET /v1/cron-jobs/{accountId}/keys": async (who, h) => {
    await call(`keys (${who})`, `${base}/keys`, { headers: h }, { expect: 200 });
  },
  "POST /v1/cron-jobs/{accountId}/keys": async (who, h) => {
    const name = `apiSecret_walked_${who}`;
    const res = await call(
      `create key (${who})`,
      `${base}/keys`,
      { method: "POST", headers: h, body: { name: "walked", scope: "full" } },
      { expect: writeStatus(who, 201), excuse: who === "full" ? [name] : [] },
    );
    if (res.status === 201) needles[name] = res.body.data.api_secret;
  },
  "DELETE /v1/cron-jobs/{accountId}/keys/{key_id}": async (who, h) => {
    const made = await call(
      `create key to revoke (${who})`,
      `${base}/keys`,
      { method: "POST", headers: keys.full, body: { name: "to revoke" } },
      { expect: 201, excuse: [`apiSecret_revoked_${who}`] },
    );
    needles[`apiSecret_revoked_${who}`] = made.body.data.api_secret;
    await call(
      `revoke key (${who})`,
      `${base}/keys/${made.body.data.id}`,
      { method: "DELETE", headers: h },
      { expect: writeStatus(who, 200) },
    );
  },
  "GET /v1/cron-jobs/{accountId}/logs/{cron_job_id}/export": async (who, h) => {
    for (const format of ["ndjson", "csv"]) {
      await call(
        `job export ${format} (${who})`,
        `${base}/logs/${jobId}/export?format=${format}`,
        { headers: h },
        { expect: 200 },
      );
    }
  },
  "GET /v1/cron-jobs/{accountId}/logs/export": async (who, h) => {
    for (const format of ["ndjson", "csv"]) {
      await call(
        `account export ${format} (${who})`,
        `${base}/logs/export?format=${format}`,
        { headers: h },
        { expect: 200 },
      );
    }
  },
  "GET /v1/cron-jobs/{accountId}/logs/{cron_job_id}": async (who, h) => {
    await call(`job logs (${who})`, `${base}/logs/${jobId}`, { headers: h }, { expect: 200 });
    await call(
      `job logs failures (${who})`,
      `${base}/logs/${jobId}?status=failure&limit=5`,
      { headers: h },
      { expect: 200 },
    );
  },
  "GET /v1/cron-jobs/{accountId}/logs": async (who, h) => {
    await call(`account logs (${who})`, `${base}/logs`, { headers: h }, { expect: 200 });
  },
  "POST /v1/cron-jobs/{accountId}/schedule/preview": async (who, h) => {
    const body = { schedule_config: { repeat_type: "days", time: "09:00" }, timezone: "UTC", count: 3 };
    await call(
      `schedule preview (${who})`,
      `${base}/schedule/preview`,
      { method: "POST", headers: h, body },
      { expect: 200 },
    );
  },
  "GET /v1/cron-jobs/{accountId}/signing-secret": async (who, h) => {
    await call(`signing-secret status (${who})`, `${base}/signing-secret`, { headers: h }, { expect: 200 });
  },
  "POST /v1/cron-jobs/{accountId}/signing-secret/rotate": async (who, h) => {
    const name = `signingSecret_rotated_${who}`;
    const res = await call(
      `rotate signing secret (${who})`,
      `${base}/signing-secret/rotate`,
      { method: "POST", headers: h, body: { grace_seconds: 3600 } },
      { expect: writeStatus(who, 200), excuse: who === "full" ? [name] : [] },
    );
    if (res.status === 200) needles[name] = res.body.data.signing_secret;
  },
  "POST /v1/cron-jobs/{accountId}/signing-secret/revoke-retired": async (who, h) => {
    await call(
      `revoke retired signing secrets (${who})`,
      `${base}/signing-secret/revoke-retired`,
      { method: "POST", headers: h },
      { expect: writeStatus(who, 200) },
    );
  },
  "GET /v1/cron-jobs/{accountId}/stats/{cron_job_id}": async (who, h) => {
    await call(`stats (${who})`, `${base}/stats/${jobId}`, { headers: h }, { expect: 200 });
  },
  "POST /v1/cron-jobs/{accountId}/trigger/{cron_job_id}": async (who, h) => {
    await call(
      `trigger (${who})`,
      `${base}/trigger/${jobId}`,
      { method: "POST", headers: h },
      { expect: writeStatus(who, 200) },
    );
    const idem = { method: "POST", headers: { ...h, "Idempotency-Key": `leaks-trigger-${who}` } };
    await call(`idempotent trigger (${who})`, `${base}/trigger/${jobId}`, idem, { expect: writeStatus(who, 200) });
    await call(`idempotent trigger replay (${who})`, `${base}/trigger/${jobId}`, idem, {
      expect: writeStatus(who, 200),
    });
  },
  "GET /v1/cron-jobs/{accountId}/alerts/{cron_job_id}": async (who, h) => {
    const res = await call(`alert deliveries (${who})`, `${base}/alerts/${jobId}`, { headers: h }, { expect: 200 });
    expect(res.body.data.length).toBeGreaterThanOrEqual(3);
  },
  "GET /v1/cron-jobs/{accountId}/deliveries": async (who, h) => {
    const res = await call(`deliveries (${who})`, `${base}/deliveries`, { headers: h }, { expect: 200 });
    expect(res.body.data.length).toBeGreaterThanOrEqual(3);
  },
  "POST /v1/cron-jobs/{accountId}/deliveries/{delivery_id}/redeliver": async (who, h) => {
    const alerts = await call("alert deliveries to redeliver", `${base}/deliveries?kind=alert`, { headers: keys.full });
    await call(
      `redeliver (${who})`,
      `${base}/deliveries/${alerts.body.data[0].id}/redeliver`,
      { method: "POST", headers: h },
      { expect: writeStatus(who, 202) },
    );
  },
  "POST /v1/cron-jobs/{accountId}/alerts/{cron_job_id}/test": async (who, h) => {
    await call(
      `test alert (${who})`,
      `${base}/alerts/${jobId}/test`,
      { method: "POST", headers: h },
      { expect: writeStatus(who, 202) },
    );
  },
  "POST /v1/cron-jobs/{accountId}/alert-recipients": async (who, h) => {
    const body = { email: `walk-${who}@example.com` };
    await call(
      `add recipient (${who})`,
      `${base}/alert-recipients`,
      { method: "POST", headers: h, body },
      { expect: writeStatus(who, 202) },
    );
  },
  "GET /v1/cron-jobs/{accountId}/alert-recipients": async (who, h) => {
    await call(`recipients (${who})`, `${base}/alert-recipients`, { headers: h }, { expect: 200 });
  },
  "DELETE /v1/cron-jobs/{accountId}/alert-recipients/{email}": async (who, h) => {
    const email = `delete-${who}@example.com`;
    await call(`add recipient to delete (${who})`, `${base}/alert-recipients`, {
      method: "POST",
      headers: keys.full,
      body: { email },
    });
    await call(
      `delete recipient (${who})`,
      `${base}/alert-recipients/${encodeURIComponent(email)}`,
      { method: "DELETE", headers: h },
      { expect: writeStatus(who, 200) },
    );
  },
  "GET /v1/cron-jobs/{accountId}/metrics": async (who, h) => {
    await call(`metrics (${who})`, `${base}/metrics`, { headers: h }, { expect: 200 });
    await call(
      `metrics openmetrics (${who})`,
      `${base}/metrics`,
      { headers: { ...h, Accept: "application/openmetrics-text;version=1.0.0" } },
      { expect: 200 },
    );
  },
  "GET /v1/cron-jobs/{accountId}/runs/{cron_job_id}": async (who, h) => {
    await call(`run history (${who})`, `${base}/runs/${jobId}`, { headers: h }, { expect: 200 });
  },
  "GET /v1/cron-jobs/{accountId}/dead-letters": async (who, h) => {
    await call(`dead letters (${who})`, `${base}/dead-letters`, { headers: h }, { expect: 200 });
  },
  "POST /v1/cron-jobs/{accountId}/replay/{execution_id}": async (who, h) => {
    const [id] = await executionIds();
    await call(
      `replay (${who})`,
      `${base}/replay/${id}`,
      { method: "POST", headers: h },
      { expect: writeStatus(who, 200) },
    );
  },
  "POST /v1/cron-jobs/{accountId}/replay": async (who, h) => {
    const ids = (await executionIds()).slice(0, 2);
    await call(
      `bulk replay (${who})`,
      `${base}/replay`,
      { method: "POST", headers: h, body: { execution_ids: ids } },
      { expect: writeStatus(who, 200) },
    );
  },
  "POST /v1/cron-jobs/{accountId}/monitors": async (who, h) => {
    await call(
      `create monitor (${who})`,
      `${base}/monitors`,
      {
        method: "POST",
        headers: h,
        body: { name: `Walked monitor ${who}`, alerts: { channels: S.job().alerts.channels } },
      },
      { expect: writeStatus(who, 201), showsPingKey: true },
    );
  },
  "GET /v1/cron-jobs/{accountId}/monitors": async (who, h) => {
    await call(`monitors (${who})`, `${base}/monitors`, { headers: h }, { expect: 200, showsPingKey: who === "full" });
  },
  "GET /v1/cron-jobs/{accountId}/monitors/{monitor_id}": async (who, h) => {
    await call(
      `monitor (${who})`,
      `${base}/monitors/${monitorId}`,
      { headers: h },
      {
        expect: 200,
        showsPingKey: who === "full",
      },
    );
  },
  "PATCH /v1/cron-jobs/{accountId}/monitors/{monitor_id}": async (who, h) => {
    await call(
      `update monitor (${who})`,
      `${base}/monitors/${monitorId}`,
      { method: "PATCH", headers: h, body: { tags: [`walked-${who.replace("_", "-")}`] } },
      { expect: writeStatus(who, 200), showsPingKey: who === "full" },
    );
  },
  "DELETE /v1/cron-jobs/{accountId}/monitors/{monitor_id}": async (who, h) => {
    const victim = await createSecretMonitor(`Deleted monitor ${who}`);
    await call(
      `delete monitor (${who})`,
      `${base}/monitors/${victim.id}`,
      { method: "DELETE", headers: h },
      { expect: writeStatus(who, 200) },
    );
  },
  "POST /v1/cron-jobs/{accountId}/calendars": async (who, h) => {
    const body = { name: `Walked calendar ${who}`, dates: ["2027-01-01"] };
    await call(
      `create calendar (${who})`,
      `${base}/calendars`,
      { method: "POST", headers: h, body },
      { expect: writeStatus(who, 201) },
    );
  },
  "GET /v1/cron-jobs/{accountId}/calendars": async (who, h) => {
    await call(`calendars (${who})`, `${base}/calendars`, { headers: h }, { expect: 200 });
  },
  "GET /v1/cron-jobs/{accountId}/calendars/{calendar_id}": async (who, h) => {
    const id = await walkedCalendar();
    await call(`calendar (${who})`, `${base}/calendars/${id}`, { headers: h }, { expect: 200 });
  },
  "PATCH /v1/cron-jobs/{accountId}/calendars/{calendar_id}": async (who, h) => {
    const id = await walkedCalendar();
    const init = { method: "PATCH", headers: h, body: { name: `Renamed ${who}` } };
    await call(`update calendar (${who})`, `${base}/calendars/${id}`, init, { expect: writeStatus(who, 200) });
  },
  "POST /v1/cron-jobs/{accountId}/calendars/{calendar_id}/import": async (who, h) => {
    const id = await walkedCalendar();
    const ics =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20991225\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    const init = { method: "POST", headers: h, body: { ics } };
    await call(`import calendar (${who})`, `${base}/calendars/${id}/import`, init, { expect: writeStatus(who, 200) });
  },
  "DELETE /v1/cron-jobs/{accountId}/calendars/{calendar_id}": async (who, h) => {
    const id = await walkedCalendar(true);
    const init = { method: "DELETE", headers: h };
    await call(`delete calendar (${who})`, `${base}/calendars/${id}`, init, { expect: writeStatus(who, 200) });
  },
  "POST /v1/cron-jobs/{accountId}/maintenance-windows": async (who, h) => {
    const body = { action: "mute", tags: ["leaks"], start: "2099-01-01T00:00:00Z", end: "2099-01-02T00:00:00Z" };
    const init = { method: "POST", headers: h, body };
    await call(`create window (${who})`, `${base}/maintenance-windows`, init, { expect: writeStatus(who, 201) });
  },
  "GET /v1/cron-jobs/{accountId}/maintenance-windows": async (who, h) => {
    await call(`windows (${who})`, `${base}/maintenance-windows`, { headers: h }, { expect: 200 });
  },
  "GET /v1/cron-jobs/{accountId}/maintenance-windows/{window_id}": async (who, h) => {
    const id = await walkedWindow();
    await call(`window (${who})`, `${base}/maintenance-windows/${id}`, { headers: h }, { expect: 200 });
  },
  "PATCH /v1/cron-jobs/{accountId}/maintenance-windows/{window_id}": async (who, h) => {
    const id = await walkedWindow();
    const init = { method: "PATCH", headers: h, body: { action: "skip" } };
    await call(`update window (${who})`, `${base}/maintenance-windows/${id}`, init, { expect: writeStatus(who, 200) });
  },
  "DELETE /v1/cron-jobs/{accountId}/maintenance-windows/{window_id}": async (who, h) => {
    const id = await walkedWindow(true);
    const init = { method: "DELETE", headers: h };
    await call(`delete window (${who})`, `${base}/maintenance-windows/${id}`, init, { expect: writeStatus(who, 200) });
  },
  "POST /v1/cron-jobs/{accountId}/monitors/{monitor_id}/pause": async (who, h) => {
    await call(
      `pause monitor (${who})`,
      `${base}/monitors/${monitorId}/pause`,
      { method: "POST", headers: h },
      { expect: writeStatus(who, 200), showsPingKey: who === "full" },
    );
  },
  "POST /v1/cron-jobs/{accountId}/monitors/{monitor_id}/resume": async (who, h) => {
    await call(
      `resume monitor (${who})`,
      `${base}/monitors/${monitorId}/resume`,
      { method: "POST", headers: h },
      { expect: writeStatus(who, 200), showsPingKey: who === "full" },
    );
  },
  "GET /v1/cron-jobs/{accountId}/monitors/{monitor_id}/pings": async (who, h) => {
    await call(`monitor pings (${who})`, `${base}/monitors/${monitorId}/pings`, { headers: h }, { expect: 200 });
  },
  "POST /v1/cron-jobs/{accountId}/ping-key/rotate": async (who, h) => {
    const name = `pingKey_rotated_${who}`;
    const res = await call(
      `rotate ping key (${who})`,
      `${base}/ping-key/rotate`,
      { method: "POST", headers: h },
      { expect: writeStatus(who, 200), excuse: who === "full" ? [name] : [] },
    );
    if (res.status === 200) needles[name] = res.body.data.ping_key;
  },
  "GET /ping/{ping_key}/{slug}": pingWalkers.bySlug("GET"),
  "POST /ping/{ping_key}/{slug}": pingWalkers.bySlug("POST"),
  "GET /ping/{ping_key}/{slug}/{signal}": pingWalkers.bySlug("GET", "start"),
  "POST /ping/{ping_key}/{slug}/{signal}": pingWalkers.bySlug("POST", "0"),
  "GET /ping/{monitor_id}": pingWalkers.byId("GET"),
  "POST /ping/{monitor_id}": pingWalkers.byId("POST"),
  "GET /ping/{monitor_id}/{signal}": pingWalkers.byId("GET", "start"),
  "POST /ping/{monitor_id}/{signal}": pingWalkers.byId("POST", "log"),
  // The router's own forms of the ping URLs: the other shapes they take, and the CORS preflight.
  "GET /ping/{a}": async (who, h) => {
    await call(`ping, not a UUID (${who})`, "/ping/not-a-monitor", { headers: h }, { expect: 404 });
  },
  "POST /ping/{a}": async (who, h) => {
    await call(
      `ping POST, not a UUID (${who})`,
      "/ping/not-a-monitor",
      { method: "POST", headers: h },
      {
        expect: 404,
      },
    );
  },
  "GET /ping/{a}/{b}": pingWalkers.bySlug("GET"),
  "POST /ping/{a}/{b}": pingWalkers.byId("POST", "fail"),
  "GET /ping/{a}/{b}/{c}": async (who, h) => {
    const key = await currentPingKey();
    await call(
      `ping, exit status over 255 (${who})`,
      `/ping/${key}/${monitorSlug}/256`,
      { headers: h },
      {
        expect: 400,
      },
    );
  },
  "POST /ping/{a}/{b}/{c}": pingWalkers.bySlug("POST", "fail"),
  "OPTIONS /ping/{a}": async (who, h) => {
    await call(`ping preflight (${who})`, `/ping/${monitorId}`, { method: "OPTIONS", headers: h }, { expect: 204 });
  },
  "OPTIONS /ping/{a}/{b}": async (who, h) => {
    const key = await currentPingKey();
    await call(
      `ping preflight slug (${who})`,
      `/ping/${key}/${monitorSlug}`,
      { method: "OPTIONS", headers: h },
      {
        expect: 204,
      },
    );
  },
  "OPTIONS /ping/{a}/{b}/{c}": async (who, h) => {
    await call(
      `ping preflight signal (${who})`,
      `/ping/${monitorId}/start`,
      { method: "OPTIONS", headers: h },
      {
        expect: 204,
      },
    );
  },
  "GET /ping/*": async (who, h) => {
    await call(`ping, too many parts (${who})`, `/ping/${monitorId}/start/x/y`, { headers: h }, { expect: 404 });
  },
  "POST /ping/*": async (who, h) => {
    await call(
      `ping POST, too many parts (${who})`,
      `/ping/${monitorId}/start/x/y`,
      { method: "POST", headers: h },
      {
        expect: 404,
      },
    );
  },
  // Routes outside the OpenAPI document: the pages and documents anyone may fetch (keys sent anyway).
  "GET /health": async (who, h) => {
    await call(`health (${who})`, "/health", { headers: h }, { expect: 200 });
  },
  "GET /dashboard": async (who, h) => {
    await call(`dashboard (${who})`, "/dashboard", { headers: h }, { expect: 200 });
  },
  "GET /dashboard/": async (who, h) => {
    await call(`dashboard/ (${who})`, "/dashboard/", { headers: h }, { expect: 301 });
  },
  "GET /openapi.json": async (who, h) => {
    await call(`openapi.json (${who})`, "/openapi.json", { headers: h }, { expect: 200 });
  },
  "GET /docs": async (who, h) => {
    await call(`docs (${who})`, "/docs", { headers: h }, { expect: 200 });
  },
  "GET /alerts/{accountId}/confirm": async (who, h) => {
    await call(
      `confirm page (${who})`,
      `/alerts/${acct.accountId}/confirm?token=walked`,
      { headers: h },
      { expect: 200 },
    );
  },
  "POST /v1/cron-jobs/{accountId}/complete/{cron_job_id}/{execution_id}/{token}": async (who, h) => {
    // Unauthenticated (the token is the credential): a wrong token is the one 404, a bad report a 400 naming fields.
    const path = `${base}/complete/${jobId}/exe_0000000000ZZZZZZZZZZZZZZZZ/${"A".repeat(22)}`;
    const init = { method: "POST", headers: h };
    await call(`complete, wrong token (${who})`, path, { ...init, body: { status: "success" } }, { expect: 404 });
    await call(`complete, bad report (${who})`, path, { ...init, body: { status: "maybe" } }, { expect: 400 });
  },
  "POST /alerts/{accountId}/confirm": async (who, h) => {
    await call(
      `confirm (${who})`,
      `/alerts/${acct.accountId}/confirm`,
      { method: "POST", headers: { ...h, "Content-Type": "application/x-www-form-urlencoded" }, raw: "token=walked" },
      { expect: 404 },
    );
  },
};

/** Every route the app serves, as `METHOD /path` with {param}: the OpenAPI document's and the rest of the router's. */
async function everyRoute(): Promise<string[]> {
  const doc = (await callWith({}, "/openapi.json")).body as { paths: Record<string, Record<string, unknown>> };
  const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((m) => ["get", "post", "put", "patch", "delete"].includes(m))
      .map((m) => `${m.toUpperCase()} ${path}`),
  );
  const registered = createApp()
    .routes.filter((r) => r.method !== "ALL")
    .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
  return [...new Set([...documented, ...registered])];
}

/** An alert run: a failing attempt through the engine fires one delivery per channel; each is then attempted. */
async function failRunWithAlerts() {
  const row = (await findLiveJob(db(), jobId)) as CronJobRow;
  const deps = testDeps({ executor: scriptedExecutor(FAIL_500) });
  await triggerNow(deps, row);
  const sent = deps.queue.take();
  engineMessages.push(...sent);
  const alerts = sent.filter((m) => m.body.type === "alert");
  expect(alerts.length).toBe(4);
  let n = 0;
  const fetch = (async () => {
    // One channel answers 500, one fails on the network, one accepts: every delivery state has a row to show.
    n++;
    if (n === 1) return new Response("no", { status: 500 });
    if (n === 2) throw new Error("Network connection lost.");
    return new Response("ok");
  }) as unknown as typeof globalThis.fetch;
  for (const m of alerts) await deliver({ ...deps, fetch }, m.body as AlertMessage);
}

/** A run of a second secret job against a loopback target that echoes the request: its log is walked too. */
async function echoRun() {
  const res = await call(
    "create echo job",
    `${base}/create`,
    {
      method: "POST",
      headers: keys.full,
      body: S.job({
        name: "Echo",
        endpoint_url: `http://127.0.0.1:${inject("targetPort")}/echo?api_key=${S.values.query}`,
      }),
    },
    { expect: 201 },
  );
  const row = (await findLiveJob(db(), res.body.data.id)) as CronJobRow;
  const deps = testDeps({ executor: createHttpExecutor({ allowPrivateTargets: true }) });
  expect((await triggerNow(deps, row))?.result.responseBody).toContain("[redacted:");
  engineMessages.push(...deps.queue.take());
}

beforeAll(async () => {
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      consoleLines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    });
  }
  acct = await createAccount("No secret leaks");
  base = `/v1/cron-jobs/${acct.accountId}`;
  needles.apiSecret_full = acct.apiSecret;
  needles.signingSecret_initial = acct.signingSecret;
  const ro = await call(
    "create read-only key",
    `${base}/keys`,
    { method: "POST", headers: acct.headers, body: { name: "dashboards", scope: "read_only" } },
    { expect: 201, excuse: ["apiSecret_read_only"] },
  );
  needles.apiSecret_read_only = ro.body.data.api_secret;
  keys = {
    full: acct.headers,
    read_only: { "X-API-Key": ro.body.data.id, "X-API-Secret": ro.body.data.api_secret },
  };
  jobId = await createSecretJob("Main");
  const monitor = await createSecretMonitor("Main monitor");
  monitorId = monitor.id;
  monitorSlug = monitor.slug;
  needles.pingKey_initial = new URL(monitor.ping_url).pathname.split("/")[2] as string;
  await failRunWithAlerts();
  await echoRun();
  for (let i = 0; i < 3; i++) {
    await call(
      "trigger for history",
      `${base}/trigger/${jobId}`,
      { method: "POST", headers: keys.full },
      { expect: 200 },
    );
  }
});

afterAll(() => {
  vi.restoreAllMocks();
});

describe("every route, with a full and a read-only key", () => {
  it("has a walker for every route the app serves (a new route must add one)", async () => {
    const routes = await everyRoute();
    expect(routes.length).toBeGreaterThan(25);
    expect(routes.filter((r) => !(r in WALKERS))).toEqual([]);
    expect(Object.keys(WALKERS).filter((w) => !routes.includes(w))).toEqual([]);
  });

  it("walks them all", async () => {
    for (const [route, walk] of Object.entries(WALKERS)) {
      for (const who of ["full", "read_only"] as const) await walk(who, keys[who]);
      expect(route).toBeTruthy();
    }
  });

  it("no response body or header shows a secret, except the creation response of that key or signing secret", () => {
    // The excused responses do carry their secret (so the needles are live), and nothing else does.
    expect(recorded.filter((r) => r.excused.size > 0 && leaksIn(r.text, needles).length === 0)).toEqual([]);
    const leaks = recorded
      .map((r) => ({ response: r.label, leaks: leaksIn(r.text, needles, r.excused) }))
      .filter((r) => r.leaks.length > 0);
    expect(leaks).toEqual([]);
    // Sanity: the walk saw the job, its logs, its deliveries and exports, and values that are not secret.
    expect(recorded.length).toBeGreaterThan(80);
    expect(recorded.some((r) => r.text.includes("visible-header-value"))).toBe(true);
    expect(recorded.some((r) => r.text.includes("[redacted:"))).toBe(true);
  });

  it("nothing sent on (queue messages, e-mails) or written to the console shows a secret", () => {
    expect(queue.sent.length).toBeGreaterThan(0);
    expect(engineMessages.length).toBeGreaterThan(0);
    expect(leaksIn(JSON.stringify([queue.sent, engineMessages]), needles)).toEqual([]);
    expect(emails.length).toBeGreaterThan(0);
    expect(leaksIn(JSON.stringify(emails), needles)).toEqual([]);
    expect(leaksIn(consoleLines.join("\n"), needles)).toEqual([]);
  });
});

describe("problems that quote input never echo a secret sent with it", () => {
  const update = (label: string, body: unknown, status: number, raw?: string) =>
    call(
      label,
      `${base}/update/${jobId}`,
      {
        method: "PATCH",
        headers: keys.full,
        ...(raw === undefined ? { body } : { raw, headers: { ...keys.full, "Content-Type": "application/json" } }),
      },
      { expect: status },
    );
  const create = (label: string, body: unknown, status: number) =>
    call(label, `${base}/create`, { method: "POST", headers: keys.full, body }, { expect: status });
  const bad = (name: string) => {
    needles[`bad_${name}`] = S.core(`bad${name}`);
    return needles[`bad_${name}`] as string;
  };

  it("invalid updates and creates answer 4xx problems naming fields, not values", async () => {
    await update(
      "bad header name next to Authorization",
      { headers: { "Bad Name": "x", Authorization: `Bearer ${bad("authz")}` } },
      400,
    );
    await update(
      "CR/LF in a secret header value",
      { headers: { Authorization: `Bearer ${bad("crlf")}\r\nX-Evil: 1` } },
      400,
    );
    await update(
      "a reserved header carrying a credential",
      { headers: { "Proxy-Authorization": `Basic ${bad("proxy")}` } },
      400,
    );
    await update(
      "a secret header value over 8192 characters",
      { headers: { "X-Api-Key": bad("long") + "k".repeat(9000) } },
      400,
    );
    await update(
      "a secret body over the body limit",
      { body: bad("bigbody") + "b".repeat(MAX_BODY_CHARS), body_is_secret: true },
      400,
    );
    await update(
      "a request over the size limit",
      undefined,
      413,
      JSON.stringify({ body: bad("hugebody") + "h".repeat(MAX_BODY_BYTES) }),
    );
    await update(
      "malformed JSON after a secret",
      undefined,
      400,
      `{"headers":{"Authorization":"Bearer ${bad("malformed")}"`,
    );
    await update("a bad URL with a secret query value", { endpoint_url: `notaurl?api_key=${bad("badurl")}` }, 400);
    await update(
      "a private URL with a secret query value",
      { endpoint_url: `http://169.254.169.254/latest?api_key=${bad("private")}` },
      400,
    );
    await update(
      "a non-http URL with a secret query value",
      { endpoint_url: `ftp://files.example.com/x?api_key=${bad("ftp")}` },
      400,
    );
    await update(
      "a bad callback URL with a secret",
      { callbacks: { failure_url: `cb.example.com/x?sig=${bad("cb")}` } },
      400,
    );
    await update(
      "a relative alert-channel URL",
      { alerts: { channels: [{ type: "slack", url: `/services/${bad("slackrel")}` }] } },
      400,
    );
    await update(
      "a private alert-channel URL",
      { alerts: { channels: [{ type: "webhook", url: `http://10.1.2.3/hooks/${bad("webhookpriv")}` }] } },
      400,
    );
    const dup = `https://hooks.slack.com/services/T/B/${bad("dup")}`;
    await update(
      "duplicate alert channels",
      {
        alerts: {
          channels: [
            { type: "slack", url: dup },
            { type: "slack", url: dup },
          ],
        },
      },
      400,
    );
    await update(
      "an unknown field next to a secret",
      { headers: { Authorization: `Bearer ${bad("unknown")}` }, surprise: 1 },
      400,
    );
    await update(
      "a bad type next to a secret",
      { headers: { Authorization: `Bearer ${bad("type")}` }, is_active: "yes" },
      400,
    );
    await update(
      "a token with no stored value next to a secret",
      { headers: { "X-Missing-Token": "[redacted:0badc0de]", Authorization: `Bearer ${bad("token")}` } },
      400,
    );
    await create(
      "a create with a token next to secrets",
      S.job({ headers: { Authorization: "[redacted:12345678]", "X-Api-Key": bad("createtoken") } }),
      400,
    );
    await create(
      "a create with a bad schedule next to secrets",
      S.job({
        headers: { Authorization: `Bearer ${bad("schedule")}` },
        schedule_config: { repeat_type: "days", time: "25:99" },
      }),
      400,
    );
    await call(
      "a secret create with a read-only key",
      `${base}/create`,
      {
        method: "POST",
        headers: keys.read_only,
        body: S.job({ headers: { Authorization: `Bearer ${bad("readonly")}` } }),
      },
      { expect: 403 },
    );
  });

  it("a reused Idempotency-Key and bad credentials quote neither the body nor the secret", async () => {
    const headers = { ...keys.full, "Idempotency-Key": "leaks-reused" };
    await call(
      "first",
      `${base}/create`,
      { method: "POST", headers, body: S.job({ name: "Reused key" }) },
      { expect: 201 },
    );
    const changed = S.job({ name: "Reused key", headers: { Authorization: `Bearer ${bad("reused")}` } });
    await call(
      "reused Idempotency-Key, other body",
      `${base}/create`,
      { method: "POST", headers, body: changed },
      { expect: 422 },
    );
    const wrong = { "X-API-Key": keys.full["X-API-Key"] as string, "X-API-Secret": bad("wrongsecret") };
    await call("a wrong API secret", `${base}/list`, { headers: wrong }, { expect: 401 });
    await call(
      "an unknown key id",
      `${base}/list`,
      { headers: { "X-API-Key": bad("keyid"), "X-API-Secret": bad("keysecret") } },
      { expect: 401 },
    );
  });

  it("none of those problems echoes the secret sent", () => {
    const problems = recorded.filter((r) => r.status >= 400);
    expect(problems.length).toBeGreaterThan(20);
    for (const r of problems) expect(r.text, r.label).toContain("application/problem+json");
    const leaks = problems
      .map((r) => ({ response: r.label, leaks: leaksIn(r.text, needles, r.excused) }))
      .filter((r) => r.leaks.length > 0);
    expect(leaks).toEqual([]);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { COMPLETION_URL_HEADER } from "../../src/engine/completion";
import { consumeRun } from "../../src/engine/consume";
import type { Executor } from "../../src/lib/execution";
import { createCalendar, createWindow } from "../calendars/support";
import { addKey, createAccount } from "../helpers/accounts";
import { queuedRun, scriptedExecutor, testDeps } from "../helpers/engine";
import { insertJob, insertLogs } from "../helpers/fixtures";
import { api } from "../helpers/http";
import { accountD1 } from "../helpers/shards";
import {
  checkRequest,
  contentType,
  credentials,
  documentedOperations,
  documentedQuery,
  extraHeaders,
  FUZZ_TIMEOUT,
  fillPath,
  jobBody,
  jobPatch,
  jsonBodyText,
  type Operation,
  queryString,
  RUNS,
  SAFE_URL,
  segment,
  type Tally,
  text,
} from "./support";

const operations = documentedOperations();
// workerd refuses methods it does not know (e.g. FUZZ) before they reach the Worker.
const OTHER_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "PROPFIND", "MKCOL"];
const DIMENSIONS = ["method", "path", "query", "headers", "auth", "body"] as const;
type Dimension = (typeof DIMENSIONS)[number];

/** Which parts of a request are hostile: mostly one, sometimes two, sometimes all. */
const hostileParts: fc.Arbitrary<ReadonlySet<Dimension>> = fc
  .oneof(
    { weight: 5, arbitrary: fc.shuffledSubarray([...DIMENSIONS], { minLength: 1, maxLength: 1 }) },
    { weight: 3, arbitrary: fc.shuffledSubarray([...DIMENSIONS], { minLength: 2, maxLength: 2 }) },
    { weight: 1, arbitrary: fc.constant([...DIMENSIONS]) },
    { weight: 1, arbitrary: fc.constant([]) },
  )
  .map((parts) => new Set(parts));

interface Fixture {
  accountId: string;
  headers: Record<string, string>;
  otherHeaders: Record<string, string>;
  jobIds: string[];
  /** Keys a valid revoke may hit: never the one the requests authenticate with. */
  keyIds: string[];
  /** Alert e-mail recipients a valid DELETE may remove. */
  emails: string[];
  /** A monitor, by id and by the account's ping key and its slug. */
  monitorIds: string[];
  pingKeys: string[];
  slugs: string[];
  /** Logged executions (replay), a delivery (redeliver), and a run awaiting completion with its token. */
  executionIds: string[];
  deliveryIds: string[];
  completion: { jobId: string; executionId: string; token: string };
  /** A calendar and a maintenance window of the account. */
  calendarIds: string[];
  windowIds: string[];
}

/** A completion-mode run parked awaiting its report: its job, execution id and the token its URL carried. */
async function awaitingCompletion(accountId: string): Promise<Fixture["completion"]> {
  const job = await insertJob(accountId, {
    endpointUrl: SAFE_URL,
    maxRetries: 0,
    nextRunAt: Date.now() + 86_400_000,
    completionMode: "callback",
    completionTimeoutSeconds: 3600,
  });
  let url = "";
  const executor: Executor = {
    async execute(req) {
      url = req.headers[COMPLETION_URL_HEADER] as string;
      return scriptedExecutor({}).execute(req);
    },
  };
  const msg = await queuedRun(job, Date.now() - 1000);
  await consumeRun(testDeps({ db: createDb(await accountD1(accountId)), executor }), msg);
  const token = new URL(url).pathname.split("/").at(-1) as string;
  return { jobId: job.id, executionId: msg.runId, token };
}

/** Valid bodies of the operations whose body is not a job. */
const VALID_BODIES: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  "POST /v1/cron-jobs/:accountId/schedule/preview": fc.record({
    schedule_config: fc.constantFrom({ repeat_type: "days", time: "09:00" }, { cron: "*/15 * * * *" }),
    timezone: fc.constantFrom("UTC", "Europe/Berlin"),
    count: fc.integer({ min: 1, max: 50 }),
  }),
  "POST /v1/cron-jobs/:accountId/signing-secret/rotate": fc.record({
    grace_seconds: fc.integer({ min: 0, max: 86_400 }),
  }),
  "POST /v1/cron-jobs/:accountId/alert-recipients": fc.record({
    email: fc.constantFrom("ops@example.com", "On-Call@Example.org"),
  }),
  "POST /v1/cron-jobs/:accountId/clone/:cron_job_id": fc.record(
    { name: fc.constantFrom("Copy", "Nightly (EU)", "ジョブ"), is_active: fc.boolean() },
    { requiredKeys: [] },
  ),
  "POST /v1/cron-jobs/:accountId/monitors": fc.record(
    {
      name: fc.constantFrom("Backup", "Nightly (EU)", "ジョブ"),
      period_seconds: fc.integer({ min: 60, max: 86_400 }),
      grace_seconds: fc.integer({ min: 60, max: 3_600 }),
      tags: fc.constantFrom(["etl"], []),
    },
    { requiredKeys: ["name"] },
  ),
  "PATCH /v1/cron-jobs/:accountId/monitors/:monitor_id": fc.record(
    {
      name: fc.constantFrom("Renamed", "ジョブ"),
      cron: fc.constantFrom("*/5 * * * *", "0 3 * * 1-5"),
      grace_seconds: fc.integer({ min: 60, max: 3_600 }),
      alerts: fc.constant({ on_recovery: false }),
    },
    { requiredKeys: [] },
  ),
  "POST /v1/cron-jobs/:accountId/complete/:cron_job_id/:execution_id/:token": fc.record(
    { status: fc.constantFrom("success", "failure"), message: fc.constantFrom("done", "ジョブ failed") },
    { requiredKeys: ["status"] },
  ),
  "POST /v1/cron-jobs/:accountId/calendars": fc.record(
    {
      name: fc.constantFrom("Holidays", "ジョブ"),
      timezone: fc.constantFrom("UTC", "Europe/Berlin"),
      dates: fc.constantFrom(["2031-12-25"], []),
      recurring: fc.constantFrom([{ cron: "0 2 * * 0", duration_minutes: 60 }], []),
    },
    { requiredKeys: ["name"] },
  ),
  "PATCH /v1/cron-jobs/:accountId/calendars/:calendar_id": fc.record(
    { name: fc.constantFrom("Renamed", "ジョブ"), dates: fc.constantFrom(["2031-01-01"], []) },
    { requiredKeys: [] },
  ),
  "POST /v1/cron-jobs/:accountId/calendars/:calendar_id/import": fc.record(
    {
      ics: fc.constant(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//fuzz//EN\r\nBEGIN:VEVENT\r\nUID:a@fuzz\r\nDTSTAMP:20261201T000000Z\r\nDTSTART;VALUE=DATE:20311225\r\nSUMMARY:Holiday\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
      ),
      replace: fc.boolean(),
    },
    { requiredKeys: ["ics"] },
  ),
  "POST /v1/cron-jobs/:accountId/maintenance-windows": fc.record(
    {
      start: fc.constant("2031-01-01T00:00:00Z"),
      end: fc.constant("2031-01-01T02:00:00Z"),
      action: fc.constantFrom("skip", "mute"),
      tags: fc.constant(["etl"]),
    },
    { requiredKeys: ["start", "end", "action", "tags"] },
  ),
  "PATCH /v1/cron-jobs/:accountId/maintenance-windows/:window_id": fc.record(
    { name: fc.constantFrom("Renamed", "ジョブ"), action: fc.constantFrom("skip", "mute") },
    { requiredKeys: [] },
  ),
  "POST /v1/cron-jobs/:accountId/keys": fc.record({
    name: fc.string({ minLength: 1, maxLength: 50 }).filter((n) => n.trim().length > 0),
    scope: fc.constantFrom("full", "read_only"),
  }),
};

function requestArb(op: Operation, fx: Fixture) {
  const completing = op.template.includes("/complete/");
  const valid: Record<string, string[]> = {
    accountId: [fx.accountId],
    cron_job_id: completing ? [fx.completion.jobId] : fx.jobIds,
    execution_id: completing ? [fx.completion.executionId] : fx.executionIds,
    token: [fx.completion.token],
    delivery_id: fx.deliveryIds,
    key_id: fx.keyIds,
    email: fx.emails,
    monitor_id: fx.monitorIds,
    ping_key: fx.pingKeys,
    slug: fx.slugs,
    signal: ["start", "fail", "log", "0", "3"],
    calendar_id: fx.calendarIds,
    window_id: fx.windowIds,
  };
  const paramsOf = (hostile: boolean) =>
    fc.record(
      Object.fromEntries(
        op.params.map((p) => [p, hostile ? segment(valid[p] ?? ["x"]) : fc.constantFrom(...(valid[p] ?? ["x"]))]),
      ),
    );
  const bulkReplay = fc.record({
    execution_ids: fc.uniqueArray(fc.constantFrom(...fx.executionIds, "exe_unknown"), { minLength: 1 }),
  });
  const validBody =
    VALID_BODIES[`${op.method} ${op.template}`] ??
    (`${op.method} ${op.template}` === "POST /v1/cron-jobs/:accountId/replay"
      ? bulkReplay
      : op.method === "POST"
        ? jobBody
        : jobPatch);
  return hostileParts.chain((hostile) =>
    fc.record({
      method: hostile.has("method") ? fc.constantFrom(...OTHER_METHODS) : fc.constant(op.method),
      params: paramsOf(hostile.has("path")),
      query: hostile.has("query") ? queryString(op.query) : documentedQuery(op.query),
      extra: hostile.has("headers") ? extraHeaders : fc.constant({}),
      auth: hostile.has("auth") ? credentials(fx.headers as never, fx.otherHeaders as never) : fc.constant(fx.headers),
      body: op.jsonBody
        ? hostile.has("body")
          ? jsonBodyText
          : validBody.map((b) => JSON.stringify(b))
        : hostile.has("body")
          ? fc.option(text, { nil: undefined })
          : fc.constant(undefined),
      type: op.jsonBody && !hostile.has("body") ? fc.constant("application/json") : contentType,
    }),
  );
}

describe("fuzzing every documented operation", () => {
  it("covers the operations of the jobs API", () => {
    const names = operations.map((o) => `${o.method} ${o.template}`);
    for (const expected of [
      "POST /v1/cron-jobs/:accountId/create",
      "GET /v1/cron-jobs/:accountId/list",
      "GET /v1/cron-jobs/:accountId/details/:cron_job_id",
      "PATCH /v1/cron-jobs/:accountId/update/:cron_job_id",
      "DELETE /v1/cron-jobs/:accountId/delete/:cron_job_id",
      "GET /v1/cron-jobs/:accountId/logs/:cron_job_id",
      "POST /v1/cron-jobs/:accountId/trigger/:cron_job_id",
    ]) {
      expect(names).toContain(expected);
    }
  });

  it.each(operations.map((o) => [`${o.method} ${o.template}`, o] as const))(
    "%s: no 5xx, 4xx are problems, refused requests change nothing",
    async (_name, op) => {
      const acct = await createAccount("Fuzz");
      const other = await createAccount("Fuzz other");
      const job = { endpointUrl: SAFE_URL, maxRetries: 0, nextRunAt: Date.now() + 86_400_000 };
      // A channel, so a valid test-alert request can succeed (a job without one is a 409).
      const channels = JSON.stringify({ channels: [{ type: "webhook", url: SAFE_URL }] });
      const active = await insertJob(acct.accountId, { ...job, alertPolicy: channels });
      const paused = await insertJob(acct.accountId, { ...job, isActive: false });
      const t0 = Date.now() - 3_600_000;
      const logs = await insertLogs(
        active.id,
        acct.accountId,
        Array.from({ length: 12 }, (_, i) => ({
          executedAt: t0 + i * 60_000,
          status: (["success", "failure", "error", "timeout"] as const)[i % 4],
        })),
      );
      const monitor = await api(`/v1/cron-jobs/${acct.accountId}/monitors`, {
        method: "POST",
        headers: { ...acct.headers, "Content-Type": "application/json" },
        body: JSON.stringify({ name: "fuzzed", period_seconds: 3600 }),
      });
      const [, , pingKey, slug] = new URL(monitor.body.data.ping_url).pathname.split("/");
      const deliveryId = `${logs[1]?.id}:callback`;
      await (await accountD1(acct.accountId))
        .prepare(
          `INSERT INTO deliveries (id, account_id, source, source_id, execution_id, kind, event, channel, target, payload, state, attempts, fired_at)
           VALUES (?, ?, 'job', ?, ?, 'callback', 'failure', NULL, ?, '{}', 'failed', 1, ?)`,
        )
        .bind(deliveryId, acct.accountId, active.id, logs[1]?.id, SAFE_URL, t0)
        .run();
      const fixture: Fixture = {
        accountId: acct.accountId,
        headers: acct.headers,
        otherHeaders: other.headers,
        jobIds: [active.id, paused.id],
        keyIds: [(await addKey(acct.accountId)).apiKey],
        emails: ["team@example.com"],
        monitorIds: [monitor.body.data.id],
        pingKeys: [pingKey as string],
        slugs: [slug as string],
        executionIds: logs.slice(0, 3).map((l) => l.id),
        deliveryIds: [deliveryId],
        completion: await awaitingCompletion(acct.accountId),
        calendarIds: [(await createCalendar(acct, { name: "fuzzed", dates: ["2031-12-25"] })).id],
        windowIds: [
          (
            await createWindow(acct, {
              start: "2031-01-01T00:00:00Z",
              end: "2031-01-02T00:00:00Z",
              action: "mute",
              tags: ["etl"],
            })
          ).id,
        ],
      };
      await (await accountD1(acct.accountId))
        .prepare(
          "INSERT INTO alert_email_recipients (account_id, email, status, created_at) VALUES (?, 'team@example.com', 'pending', 0)",
        )
        .bind(acct.accountId)
        .run();
      const tally: Tally = new Map();
      await fc.assert(
        fc.asyncProperty(requestArb(op, fixture), async (r) => {
          const headers: Record<string, string> = { ...r.extra, ...r.auth };
          if (r.body !== undefined && r.type !== undefined) headers["Content-Type"] = r.type;
          const path = fillPath(op.template, r.params) + r.query;
          await checkRequest(
            { method: r.method, path, headers, body: r.body },
            [acct.accountId, other.accountId],
            tally,
          );
        }),
        { numRuns: RUNS },
      );
      const statuses = [...tally.keys()];
      expect(statuses.some((s) => s < 400)).toBe(true); // the valid path was reached …
      expect(statuses.some((s) => s >= 400)).toBe(true); // … and so were the refusals
    },
    FUZZ_TIMEOUT,
  );
});

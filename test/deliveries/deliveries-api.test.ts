/**
 * One record per callback and alert delivery (README "Deliveries"): written in the run's recording batch, listed
 * account-wide by GET …/deliveries (filters, page or cursor), redelivered by POST …/deliveries/{id}/redeliver, and
 * `recorded` (never `delivered`) when CALLBACKS=record.
 */
import { beforeEach, describe, expect, inject, it, vi } from "vitest";
import { abandonCallback } from "../../src/engine/callbacks";
import { consumeRun } from "../../src/engine/consume";
import { deliver, type RecordedDeliveryMessage } from "../../src/engine/deliver";
import { redeliver } from "../../src/engine/redeliver";
import { sweep } from "../../src/retention/sweep";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { FAIL_500, queuedRun, scriptedExecutor, testDeps } from "../helpers/engine";
import { insertJob } from "../helpers/fixtures";
import { api, expectProblem } from "../helpers/http";
import { jobsApi } from "../helpers/jobs";
import { shardD1 } from "../helpers/shards";

const T = Date.UTC(2026, 5, 1, 12, 0, 0);
const MIN = 60_000;
const FAR = Date.UTC(2099, 0, 1);
const base = `http://127.0.0.1:${inject("targetPort")}`;

let acct: TestAccount;
let jobs: ReturnType<typeof jobsApi>;
beforeEach(async () => {
  acct = await createAccount("Deliveries");
  jobs = jobsApi(acct);
});

/** A job failing every run, with a failure callback and (optionally) a webhook alert channel. */
async function alertedJob(opts: { callback?: string | null; alert?: string | null } = {}) {
  const callback = opts.callback === undefined ? `${base}/capture/${crypto.randomUUID()}` : opts.callback;
  const alert = opts.alert === undefined ? `${base}/capture/${crypto.randomUUID()}` : opts.alert;
  return insertJob(acct.accountId, {
    nextRunAt: FAR,
    maxRetries: 0,
    failureCallbackUrl: callback,
    alertPolicy: alert
      ? JSON.stringify({ channels: [{ type: "webhook", url: alert }], after_consecutive_failures: 1 })
      : null,
  });
}

/** Runs one failing slot of `job` at `at`; returns the delivery messages it queued. */
async function runAt(job: { id: string; accountId: string }, at: number, deps = engine(at)) {
  await consumeRun(deps, await queuedRun(job, at));
  return deps.queue
    .take()
    .map((m) => m.body)
    .filter((b): b is RecordedDeliveryMessage => b.type === "callback" || b.type === "alert");
}

const engine = (at: number, overrides: Parameters<typeof testDeps>[0] = {}) =>
  testDeps({
    executor: scriptedExecutor(FAIL_500),
    fetch: (input, init) => fetch(input, init),
    now: () => at,
    ...overrides,
  });

const list = (query = "") => jobs.send("GET", `/deliveries${query}`);

async function rowCount(jobId: string) {
  const row = await shardD1().prepare("SELECT count(*) AS n FROM deliveries WHERE source_id = ?").bind(jobId).first();
  return (row as { n: number }).n;
}

describe("the delivery record", () => {
  it("a run's callback and alert each get one row, written with the log (a duplicate recording writes none)", async () => {
    const job = await alertedJob();
    const msg = await queuedRun(job, T);
    const deps = engine(T);
    await consumeRun(deps, msg);
    await consumeRun(deps, msg);
    const sent = deps.queue.take().filter((m) => m.body.type !== "run");
    expect(sent.map((m) => m.body.type).sort()).toEqual(["alert", "callback"]);
    expect(await rowCount(job.id)).toBe(2);
    const res = await list();
    expect(res.status).toBe(200);
    const callback = res.body.data.find((d: { kind: string }) => d.kind === "callback");
    const sentCallback = sent.find((m) => m.body.type === "callback")?.body as RecordedDeliveryMessage;
    expect(callback).toEqual({
      id: sentCallback.deliveryId,
      source: "job",
      cron_job_id: job.id,
      monitor_id: null,
      execution_id: expect.stringMatching(/^exe_/),
      kind: "callback",
      event: "failure",
      channel: null,
      target: job.failureCallbackUrl,
      state: "pending",
      attempts: 0,
      last_status_code: null,
      last_error: null,
      next_attempt_at: "2026-06-01T12:00:00Z",
      fired_at: "2026-06-01T12:00:00Z",
      delivered_at: null,
    });
    expect(callback.id).toBe(`${callback.execution_id}:callback`);
    expect(res.body.data.find((d: { kind: string }) => d.kind === "alert")).toMatchObject({
      kind: "alert",
      event: "failure",
      channel: "webhook",
      state: "pending",
    });
  });

  it("a job without callbacks or alerts writes no delivery row", async () => {
    const job = await alertedJob({ callback: null, alert: null });
    expect(await runAt(job, T)).toEqual([]);
    expect(await rowCount(job.id)).toBe(0);
  });

  it("each attempt updates the row: status code, error, next attempt, then delivered", async () => {
    const key = crypto.randomUUID();
    const job = await alertedJob({ callback: `${base}/capture/${key}?fail=1`, alert: null });
    const [first] = await runAt(job, T);
    const deps = engine(T + 1000);
    expect(await deliver(deps, first as RecordedDeliveryMessage)).toBe("retrying");
    const retrying = (await list()).body.data[0];
    expect(retrying).toMatchObject({
      state: "pending",
      attempts: 1,
      last_status_code: 500,
      last_error: "HTTP 500",
      next_attempt_at: "2026-06-01T12:00:31Z",
    });
    const [retry] = deps.queue.take();
    expect(retry).toMatchObject({ delaySeconds: 30, body: { attempt: 1, retry: 1 } });
    expect(await deliver(engine(T + 31_000), retry?.body as RecordedDeliveryMessage)).toBe("delivered");
    expect((await list()).body.data[0]).toMatchObject({
      state: "delivered",
      attempts: 2,
      last_status_code: 200,
      last_error: "HTTP 500",
      next_attempt_at: null,
      delivered_at: "2026-06-01T12:00:31Z",
    });
  });

  it("a callback the dead-letter queue receives is closed as failed", async () => {
    const job = await alertedJob({ alert: null });
    const [msg] = await runAt(job, T);
    const callback = msg as RecordedDeliveryMessage & { type: "callback" };
    expect(await abandonCallback(engine(T), callback)).toBe("failed");
    expect(await deliver(engine(T), callback)).toBe("duplicate");
    expect((await list()).body.data[0]).toMatchObject({
      state: "failed",
      attempts: 0,
      last_error: "dead-lettered after repeated consumer failures",
      next_attempt_at: null,
    });
  });

  it("GET …/alerts/{id} still lists only the job's alerts, in its own shape", async () => {
    const job = await alertedJob();
    await runAt(job, T);
    const alerts = await jobs.send("GET", `/alerts/${job.id}`);
    expect(alerts.body.data).toHaveLength(1);
    expect(Object.keys(alerts.body.data[0]).sort()).toEqual(
      [
        "id",
        "cron_job_id",
        "execution_id",
        "event",
        "channel",
        "target",
        "status",
        "attempts",
        "last_error",
        "fired_at",
        "delivered_at",
      ].sort(),
    );
    expect(alerts.body.data[0]).toMatchObject({ cron_job_id: job.id, event: "failure", status: "pending" });
  });
});

describe("GET …/deliveries", () => {
  it("filters by cron_job_id, kind and state; a deleted job's deliveries leave the list", async () => {
    const a = await alertedJob();
    const b = await alertedJob({ alert: null });
    await runAt(a, T);
    await runAt(b, T + MIN);
    await shardD1()
      .prepare("UPDATE deliveries SET state = 'failed' WHERE source_id = ? AND kind = 'alert'")
      .bind(a.id)
      .run();
    const ids = async (q: string) =>
      (await list(q)).body.data.map(
        (d: { cron_job_id: string; kind: string }) => `${d.cron_job_id === a.id ? "a" : "b"}:${d.kind}`,
      );
    // Newest first; at one fired_at, by id descending (`…:callback` after `…:alert:…`).
    expect(await ids("")).toEqual(["b:callback", "a:callback", "a:alert"]);
    expect(await ids(`?cron_job_id=${a.id}`)).toEqual(["a:callback", "a:alert"]);
    expect(await ids("?kind=callback")).toEqual(["b:callback", "a:callback"]);
    expect(await ids("?state=failed")).toEqual(["a:alert"]);
    expect(await ids(`?kind=alert&state=pending`)).toEqual([]);
    await shardD1().prepare("UPDATE cron_jobs SET deleted_at = ? WHERE id = ?").bind(T, b.id).run();
    expect(await ids("?kind=callback")).toEqual(["a:callback"]);
    expectProblem(await list(`?cron_job_id=${b.id}`), 404);
  });

  it("pages newest first by number (with totals) or by cursor, without skipping or repeating", async () => {
    const job = await alertedJob({ alert: null });
    for (let i = 0; i < 5; i++) await runAt(job, T + i * MIN);
    const first = await list("?limit=2");
    expect(first.body.pagination).toMatchObject({ page: 1, limit: 2, total_items: 5, total_pages: 3 });
    const fired = first.body.data.map((d: { fired_at: string }) => d.fired_at);
    expect(fired).toEqual(["2026-06-01T12:04:00Z", "2026-06-01T12:03:00Z"]);
    const seen = [...fired];
    let cursor = first.body.pagination.next_cursor as string | null;
    while (cursor) {
      const page = await list(`?limit=2&cursor=${cursor}`);
      expect(page.body.pagination).toEqual({ limit: 2, next_cursor: expect.toBeOneOf([null, expect.any(String)]) });
      seen.push(...page.body.data.map((d: { fired_at: string }) => d.fired_at));
      cursor = page.body.pagination.next_cursor;
    }
    expect(seen).toEqual([4, 3, 2, 1, 0].map((m) => `2026-06-01T12:0${m}:00Z`));
  });

  it("refuses bad input with a problem naming each field; 404 for another account's job", async () => {
    const problem = expectProblem(await list("?kind=email&state=sent&cursor=nope&limit=0"), 400);
    expect((problem.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual(
      ["cursor", "kind", "limit", "state"].sort(),
    );
    expectProblem(await list("?page=2&cursor=v1.WzEsImEiXQ"), 400);
    const job = await alertedJob();
    const other = jobsApi(await createAccount("Other"));
    expectProblem(await other.send("GET", `/deliveries?cron_job_id=${job.id}`), 404);
  });
});

describe("POST …/deliveries/{id}/redeliver", () => {
  it("sends it again through the queue: the record shows the new attempt", async () => {
    const key = crypto.randomUUID();
    const job = await alertedJob({ callback: `${base}/capture/${key}`, alert: null });
    const [msg] = await runAt(job, T);
    const deps = engine(T + 1000);
    expect(await deliver(deps, msg as RecordedDeliveryMessage)).toBe("delivered");
    const id = (msg as RecordedDeliveryMessage).deliveryId;

    const res = await jobs.send("POST", `/deliveries/${id}/redeliver`);
    expect(res.status).toBe(202);
    expect(res.body.data).toMatchObject({ id, state: "pending", attempts: 1, delivered_at: null });
    // The queue's consumer (this Worker) makes the attempt.
    let row = res.body.data;
    for (let i = 0; i < 100 && row.state === "pending"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      row = (await list()).body.data[0];
    }
    expect(row).toMatchObject({ id, state: "delivered", attempts: 2, last_status_code: 200 });
    const received = (await (await fetch(`${base}/captured/${key}`)).json()) as Array<{ body: string }>;
    expect(received).toHaveLength(2);
    expect(received[1]?.body).toBe(received[0]?.body);
  });

  it("a redelivery is a new round: one attempt now, then the usual retries", async () => {
    const job = await alertedJob({ callback: `${base}/status/503`, alert: null });
    const [msg] = await runAt(job, T);
    let deps = engine(T);
    let m: RecordedDeliveryMessage | undefined = msg;
    const results: string[] = [];
    while (m) {
      results.push(await deliver(deps, m));
      m = deps.queue.take()[0]?.body as RecordedDeliveryMessage | undefined;
    }
    expect(results).toEqual(["retrying", "retrying", "retrying", "failed"]);
    deps = engine(T + 3_600_000);
    const again = await redeliver(deps, acct.accountId, (msg as RecordedDeliveryMessage).deliveryId);
    expect(again).toMatchObject({ kind: "queued", row: { state: "pending", attempts: 4 } });
    const [queued] = deps.queue.take();
    expect(queued?.body).toMatchObject({ type: "callback", attempt: 4, retry: 0 });
    expect(await deliver(deps, queued?.body as RecordedDeliveryMessage)).toBe("retrying");
    expect((await list()).body.data[0]).toMatchObject({ state: "pending", attempts: 5, last_status_code: 503 });
  });

  it("403 for a read-only key, 404 for another account's delivery or an unknown id, 409 while in flight", async () => {
    const job = await alertedJob({ alert: null });
    const [msg] = await runAt(job, T);
    const id = (msg as RecordedDeliveryMessage).deliveryId;
    const key = await jobs.send("POST", "/keys", { name: "ro", scope: "read_only" });
    const ro = { "X-API-Key": key.body.data.id, "X-API-Secret": key.body.data.api_secret };
    const path = `/v1/cron-jobs/${acct.accountId}/deliveries/${id}/redeliver`;
    expect((await api(path, { method: "POST", headers: ro })).status).toBe(403);
    expect((await api(`/v1/cron-jobs/${acct.accountId}/deliveries`, { headers: ro })).status).toBe(200);
    expectProblem(await jobs.send("POST", `/deliveries/${id}x/redeliver`), 404);
    await shardD1()
      .prepare("UPDATE deliveries SET lease_until = ? WHERE id = ?")
      .bind(Date.now() + MIN, id)
      .run();
    expectProblem(await jobs.send("POST", `/deliveries/${id}/redeliver`), 409);
    const other = jobsApi(await createAccount("Other"));
    expectProblem(await other.send("POST", `/deliveries/${id}/redeliver`), 404);
  });
});

describe("CALLBACKS=record", () => {
  it("callbacks and alerts are recorded, never delivered, and nothing is sent", async () => {
    const job = await alertedJob();
    const sent = vi.fn(async () => new Response("ok"));
    const deps = engine(T, { fetch: sent as unknown as typeof fetch });
    const recording = { ...deps, cfg: { ...deps.cfg, CALLBACKS: "record" as const } };
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    try {
      for (const m of await runAt(job, T, recording)) expect(await deliver(recording, m)).toBe("recorded");
    } finally {
      log.mockRestore();
    }
    expect(sent).not.toHaveBeenCalled();
    const rows = (await list()).body.data;
    expect(
      rows.map((d: { kind: string; state: string; delivered_at: null }) => [d.kind, d.state, d.delivered_at]).sort(),
    ).toEqual([
      ["alert", "recorded", null],
      ["callback", "recorded", null],
    ]);
    expect((await jobs.send("GET", `/alerts/${job.id}`)).body.data[0].status).toBe("recorded");
  });
});

describe("retention", () => {
  it("the sweep deletes deliveries fired before the cutoff, like logs", async () => {
    const job = await alertedJob({ alert: null });
    const now = T + 31 * 86_400_000;
    await runAt(job, T);
    await runAt(job, now - 86_400_000);
    const report = await sweep(testDeps().db, { retentionDays: 30, now });
    expect(report.deliveries_deleted).toBeGreaterThanOrEqual(1);
    expect((await list()).body.data.map((d: { fired_at: string }) => d.fired_at)).toEqual([
      new Date(now - 86_400_000).toISOString().replace(".000Z", "Z"),
    ]);
  });
});

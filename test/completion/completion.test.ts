import { beforeEach, describe, expect, inject, it } from "vitest";
import { COMPLETION_URL_HEADER } from "../../src/engine/completion";
import { expireDeadlines, recordCompletion } from "../../src/engine/completion-record";
import { consumeRun } from "../../src/engine/consume";
import { dispatchTick } from "../../src/engine/dispatch";
import { createHttpExecutor } from "../../src/engine/executors/http";
import { findRun } from "../../src/engine/ledger";
import type { Executor } from "../../src/lib/execution";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { queuedRun, refOf, scriptedExecutor, testDeps } from "../helpers/engine";
import { insertJob } from "../helpers/fixtures";
import { api, expectProblem } from "../helpers/http";
import { jobsApi, quickStart } from "../helpers/jobs";
import { shardD1 } from "../helpers/shards";
import { storedLogs } from "../helpers/stored-logs";

const port = inject("targetPort");
const FAR = Date.UTC(2099, 0, 1);
const HOUR = 3_600_000;

let acct: TestAccount;
beforeEach(async () => {
  acct = await createAccount();
});

async function captured(key: string): Promise<Array<{ headers: Record<string, string> }>> {
  return (await fetch(`http://127.0.0.1:${port}/captured/${key}`)).json();
}

/** The job's logs, text decoded (the view shows compressed text as NULL). */
const logsOf = (jobId: string) => storedLogs(shardD1(), [jobId]);

/** A completion-mode job whose endpoint captures its requests on the loopback target. */
async function completionJob(overrides: Parameters<typeof insertJob>[1] = {}) {
  const key = `completion-${crypto.randomUUID().slice(0, 8)}`;
  const job = await insertJob(acct.accountId, {
    nextRunAt: FAR,
    endpointUrl: `http://127.0.0.1:${port}/capture/${key}`,
    method: "POST",
    maxRetries: 0,
    timeoutSeconds: 5,
    completionMode: "callback",
    completionTimeoutSeconds: 3600,
    ...overrides,
  });
  return { job, key };
}

/** The URL's path (the test Worker answers on http://localhost) and its parts. */
function completionPath(url: string) {
  const u = new URL(url);
  const [, , , accountId, , jobId, executionId, token] = u.pathname.split("/");
  return { path: u.pathname, accountId, jobId, executionId, token: token as string };
}

/** A scripted success that keeps the completion token it was sent, for the test's later POST. */
function tokenKeeper() {
  const kept = {
    token: "",
    executor: {
      async execute(req) {
        kept.token = completionPath(req.headers[COMPLETION_URL_HEADER] as string).token;
        return scriptedExecutor({}).execute(req);
      },
    } as Executor,
  };
  return kept;
}

const post = (path: string, body: unknown) =>
  api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

describe("the jobs API", () => {
  it("takes completion on create and update, shows it in every job response, refuses bad values by field", async () => {
    const jobs = jobsApi(acct);
    const created = await jobs.create({ ...quickStart(), completion: { mode: "callback", timeout_seconds: 7200 } });
    expect(created.status).toBe(201);
    const id = created.body.data?.id ?? created.body.id;
    const details = await jobs.details(id);
    expect(JSON.stringify(details.body)).toContain('"completion":{"mode":"callback","timeout_seconds":7200}');
    const cleared = await jobs.update(id, { completion: null });
    expect(cleared.status).toBe(200);
    expect(JSON.stringify((await jobs.details(id)).body)).toContain('"completion":null');
    const list = await jobs.list();
    expect(JSON.stringify(list.body)).toContain('"completion":null');

    const tooLong = await jobs.create({ ...quickStart(), completion: { mode: "callback", timeout_seconds: 86_401 } });
    const p = expectProblem(tooLong, 400);
    expect(p.errors).toEqual([expect.objectContaining({ field: "completion.timeout_seconds", in: "body" })]);
    const badMode = await jobs.create({ ...quickStart(), completion: { mode: "poll", timeout_seconds: 60 } });
    expect(expectProblem(badMode, 400).errors).toEqual([expect.objectContaining({ field: "completion.mode" })]);
  });
});

describe("a completion-mode run", () => {
  it("sends its URL, parks on 2xx, and the first POST records the outcome; repeats 200, others 409", async () => {
    const { job, key } = await completionJob();
    const deps = testDeps({ executor: createHttpExecutor({ allowPrivateTargets: true }) });
    const msg = await queuedRun(job, Date.now() - 1000);
    await consumeRun(deps, msg);

    const run = await findRun(deps.db, refOf(msg));
    expect(run?.state).toBe("awaiting");
    expect(run?.leaseUntil).toBeNull();
    expect(await logsOf(job.id as string)).toEqual([]);
    const [request] = await captured(key);
    const url = request?.headers[COMPLETION_URL_HEADER.toLowerCase()] as string;
    expect(url).toMatch(
      new RegExp(`^http://localhost/v1/cron-jobs/${acct.accountId}/complete/${job.id}/${msg.runId}/[\\w-]{22}$`),
    );
    const { path, token } = completionPath(url);
    // Only the hash is stored.
    const { results } = await shardD1().prepare("SELECT completion_hash FROM runs").all<{ completion_hash: string }>();
    expect(results.map((r) => r.completion_hash).join()).not.toContain(token);

    // A redelivered message leaves it awaiting.
    expect((await consumeRun(deps, msg)).result).toBe("duplicate");
    expect((await findRun(deps.db, refOf(msg)))?.state).toBe("awaiting");

    const done = await post(path, { status: "success", body: '{"rows":12}' });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ execution_id: msg.runId, status: "success", response_body: '{"rows":12}' });
    const [log] = await logsOf(job.id as string);
    expect(log).toMatchObject({ id: msg.runId, status: "success", response_body: '{"rows":12}' });
    expect(log?.response_time_ms).toBeGreaterThanOrEqual(0);
    expect(done.body.response_time_ms).toBe(log?.response_time_ms);
    expect((await findRun(deps.db, refOf(msg)))?.state).toBe("done");

    expect((await post(path, { status: "success", body: '{"rows":12}' })).status).toBe(200);
    expectProblem(await post(path, { status: "failure" }), 409, /already recorded as success/);
    expectProblem(await post(path, { status: "success", body: "other" }), 409);
    expect(await logsOf(job.id as string)).toHaveLength(1);
  });

  it("shows its execution id in the history while running and awaiting, as the trigger and the target had it", async () => {
    const { job } = await completionJob();
    const sent = tokenKeeper();
    const deps = testDeps({ executor: sent.executor });
    const msg = await queuedRun(job, Date.now() - 1000);
    const entry = async () => {
      const res = await api(`/v1/cron-jobs/${acct.accountId}/runs/${job.id}`, { headers: acct.headers });
      expect(res.status).toBe(200);
      return res.body.data[0] as { state: string; execution_id: string | null };
    };
    // Queued: not sent yet, so no execution to name.
    expect(await entry()).toMatchObject({ state: "queued", execution_id: null });
    const ledger = shardD1().prepare("UPDATE runs SET state = ? WHERE job = (SELECT num FROM cron_jobs WHERE id = ?)");
    await ledger.bind(1, job.id).run();
    expect(await entry()).toMatchObject({ state: "running", execution_id: msg.runId });
    await ledger.bind(0, job.id).run();
    await consumeRun(deps, msg);
    expect(await entry()).toMatchObject({ state: "awaiting", execution_id: msg.runId });
    await recordCompletion(deps, refOf(msg), sent.token, { status: "success" });
    expect(await entry()).toMatchObject({ state: "done", execution_id: msg.runId });
  });

  it("answers one 404 for a wrong token, execution, job or account, and 400 for a bad report", async () => {
    const { job, key } = await completionJob();
    const deps = testDeps({ executor: createHttpExecutor({ allowPrivateTargets: true }) });
    const msg = await queuedRun(job, Date.now() - 1000);
    await consumeRun(deps, msg);
    const [request] = await captured(key);
    const { path, token } = completionPath(request?.headers[COMPLETION_URL_HEADER.toLowerCase()] as string);
    const other = await createAccount();
    const wrong = [
      path.replace(token, "A".repeat(22)),
      path.replace(token, "short"),
      path.replace(msg.runId, "exe_0000000000ZZZZZZZZZZZZZZZZ"),
      path.replace(job.id as string, crypto.randomUUID()),
      path.replace(acct.accountId, other.accountId),
      path.replace(acct.accountId, "no-such-account"),
    ];
    const answers = await Promise.all(wrong.map((p) => post(p, { status: "success" })));
    for (const a of answers) expectProblem(a, 404, "No execution awaits completion at this URL");
    const bad = expectProblem(await post(path, { status: "done", extra: 1 }), 400);
    expect((bad.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual(["extra", "status"]);
    expect((await findRun(deps.db, refOf(msg)))?.state).toBe("awaiting");
  });

  it("a failure report is a failure: its message is the error, retries and callbacks follow", async () => {
    const { job, key } = await completionJob({ maxRetries: 1, retryDelaySeconds: 30 });
    const deps = testDeps({ executor: createHttpExecutor({ allowPrivateTargets: true }) });
    const msg = await queuedRun(job, Date.now() - 1000);
    await consumeRun(deps, msg);
    const [request] = await captured(key);
    const { path } = completionPath(request?.headers[COMPLETION_URL_HEADER.toLowerCase()] as string);
    const res = await post(path, { status: "failure", message: "export failed: disk full" });
    expect(res.status).toBe(200);
    expect(await logsOf(job.id as string)).toEqual([
      expect.objectContaining({ status: "failure", error_message: "export failed: disk full", retry_attempt: 0 }),
    ]);
    // The retry is written in the recording batch, queued and unsent (the route's own send goes to its queue).
    const { results } = await shardD1()
      .prepare("SELECT attempt, state FROM runs WHERE job = (SELECT num FROM cron_jobs WHERE id = ?) ORDER BY attempt")
      .bind(job.id)
      .all<{ attempt: number; state: number }>();
    expect(results).toEqual([
      { attempt: 0, state: 3 },
      { attempt: 1, state: 0 },
    ]);
  });

  it("a non-2xx answer is a failure at once, and a POST to its URL then gets 409", async () => {
    const { job } = await completionJob({ endpointUrl: `http://127.0.0.1:${port}/status/503` });
    let url = "";
    const deps = testDeps({
      executor: {
        async execute(req) {
          url = req.headers[COMPLETION_URL_HEADER] as string;
          return createHttpExecutor({ allowPrivateTargets: true }).execute(req);
        },
      },
    });
    const msg = await queuedRun(job, Date.now() - 1000);
    await consumeRun(deps, msg);
    expect((await findRun(deps.db, refOf(msg)))?.state).toBe("done");
    expect((await logsOf(job.id as string)).map((l) => l.status)).toEqual(["failure"]);
    expectProblem(await post(completionPath(url).path, { status: "success" }), 409, /already recorded as failure/);
  });

  it("a POST that arrives before the 2xx answer is recorded, and the answer then parks nothing", async () => {
    const { job } = await completionJob();
    const deps = testDeps();
    let early = 0;
    deps.executor = {
      async execute(req) {
        const { path } = completionPath(req.headers[COMPLETION_URL_HEADER] as string);
        early = (await post(path, { status: "success", body: "early" })).status;
        return scriptedExecutor({}).execute(req);
      },
    };
    const msg = await queuedRun(job, Date.now() - 1000);
    await consumeRun(deps, msg);
    expect(early).toBe(200);
    expect((await findRun(deps.db, refOf(msg)))?.state).toBe("done");
    expect(await logsOf(job.id as string)).toEqual([
      expect.objectContaining({ status: "success", response_body: "early" }),
    ]);
  });
});

describe("the deadline", () => {
  it("the tick records timeout once past the deadline; a later POST gets 409", async () => {
    const { job } = await completionJob({ completionTimeoutSeconds: 600 });
    let clock = Date.now() - 2 * HOUR;
    const sent = tokenKeeper();
    const deps = testDeps({ now: () => clock, executor: sent.executor });
    const start = clock;
    const msg = await queuedRun(job, start);
    await consumeRun(deps, msg);
    // Before the deadline the tick leaves it; at and past it the tick records timeout, once.
    expect((await expireDeadlines(deps, start + 600_000 - 1)).expired).toBe(0);
    clock = start + 700_000;
    const [a, b] = await Promise.all([expireDeadlines(deps, clock), expireDeadlines(deps, clock)]);
    expect(a.complete && b.complete).toBe(true);
    const logs = await logsOf(job.id as string);
    expect(logs).toEqual([
      expect.objectContaining({
        status: "timeout",
        response_time_ms: 600_000,
        error_message: "No completion within 600 seconds",
      }),
    ]);
    expect(logs[0]?.executed_at).toBe(start);
    const late = await recordCompletion(deps, refOf(msg), sent.token, { status: "success" });
    expect(late).toMatchObject({ kind: "conflict", log: { status: "timeout" } });
  });

  it("a POST past the deadline before any tick records the timeout itself and gets 409", async () => {
    const { job } = await completionJob({ completionTimeoutSeconds: 60 });
    let clock = Date.now() - HOUR;
    const sent = tokenKeeper();
    const deps = testDeps({ now: () => clock, executor: sent.executor });
    const msg = await queuedRun(job, clock);
    await consumeRun(deps, msg);
    clock += 61_000;
    expect(await recordCompletion(deps, refOf(msg), sent.token, { status: "success" })).toMatchObject({
      kind: "conflict",
      log: { status: "timeout", responseTimeMs: 60_000 },
    });
    expect((await expireDeadlines(deps, clock)).expired).toBe(0);
  });

  it("pages within its query budget and leaves the rest for the next tick", async () => {
    const { job } = await completionJob({ completionTimeoutSeconds: 1 });
    let clock = Date.now() - HOUR;
    const deps = testDeps({ now: () => clock, executor: scriptedExecutor({}) });
    for (let i = 0; i < 5; i++) await consumeRun(deps, await queuedRun(job, clock + i));
    clock += 10_000;
    const first = await expireDeadlines(deps, clock, { queryBudget: 1 + 2 * 5, pageSize: 2 });
    expect(first).toEqual({ expired: 2, complete: false });
    expect(await expireDeadlines(deps, clock)).toEqual({ expired: 3, complete: true });
    expect((await logsOf(job.id as string)).map((l) => l.status)).toEqual(Array(5).fill("timeout"));
  });
});

describe("overlap with awaiting runs", () => {
  it("skip skips the next slot and queue holds it while a run awaits; history shows awaiting", async () => {
    for (const policy of ["skip", "queue"] as const) {
      const base = Date.UTC(2026, 0, 1, 9, 0, 0) + (policy === "skip" ? 0 : HOUR);
      const { job } = await completionJob({ overlapPolicy: policy, nextRunAt: FAR, completionTimeoutSeconds: 86_400 });
      let clock = base;
      const sent = tokenKeeper();
      const deps = testDeps({ now: () => clock, executor: sent.executor });
      const first = await queuedRun(job, base);
      await consumeRun(deps, first);
      expect((await findRun(deps.db, refOf(first)))?.state).toBe("awaiting");

      const history = await api(`/v1/cron-jobs/${acct.accountId}/runs/${job.id}`, { headers: acct.headers });
      expect(JSON.stringify(history.body)).toContain('"state":"awaiting"');

      clock = base + 60_000;
      if (policy === "skip") {
        await shardD1().prepare("UPDATE cron_jobs SET next_run_at = ? WHERE id = ?").bind(clock, job.id).run();
        await dispatchTick(deps.db, deps.queue, clock, clock);
        const { results } = await shardD1()
          .prepare("SELECT state, reason FROM runs WHERE job = (SELECT num FROM cron_jobs WHERE id = ?) AND slot = ?")
          .bind(job.id, clock)
          .all<{ state: number; reason: number }>();
        expect(results).toEqual([{ state: 4, reason: expect.any(Number) }]);
      } else {
        const second = await queuedRun(job, clock);
        expect((await consumeRun(deps, second)).result).toBe("waiting");
        await recordCompletion(deps, refOf(first), sent.token, { status: "success" });
        expect((await consumeRun(deps, second)).result).toBe("executed");
        expect((await findRun(deps.db, refOf(second)))?.state).toBe("awaiting");
      }
    }
  });
});

import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createControlDb } from "../../src/db/client";
import { accountShards } from "../../src/db/control-schema";
import { cronJobs } from "../../src/db/schema";
import { dispatchTick } from "../../src/engine/dispatch";
import { runMessage } from "../../src/engine/follow-ups";
import { runId } from "../../src/engine/ledger";
import { consumeRunsBatch, MOVING_RETRY_SECONDS } from "../../src/engine/route-runs";
import worker from "../../src/index";
import { shardCount } from "../../src/shards/bindings";
import { accountsPerShard, directoryCache } from "../../src/shards/directory";
import { chooseShard } from "../../src/shards/placement";
import { BOOKMARK_HEADER, sessionConstraint } from "../../src/shards/session";
import { fanOutShardTicks, runShardTick, type ShardTickMessage } from "../../src/ticks";
import { DISPATCH_CRON } from "../../src/triggers";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { insertJob, insertLogs } from "../helpers/fixtures";
import { expectProblem } from "../helpers/http";
import { jobsApi, quickStart } from "../helpers/jobs";
import { batchOf, captureQueue } from "../helpers/queue";
import { accountDb } from "../helpers/shards";
import { callWith } from "../http/app-env";

const countIn = async (shard: number, sql: string, ...params: unknown[]) =>
  (
    (await (env as unknown as Record<string, D1Database>)[`SHARD_${shard}`]
      ?.prepare(sql)
      .bind(...params)
      .first<{ n: number }>()) ?? { n: -1 }
  ).n;

/** The D1 binding, recording into `opened` the constraint of every session opened on it. */
function recordingSessions(d1: D1Database, opened: string[]): D1Database {
  return new Proxy(d1, {
    get(target, prop) {
      if (prop === "withSession") {
        return (constraint: string) => {
          opened.push(constraint);
          return target.withSession(constraint);
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

async function setDirectoryState(accountId: string, state: "active" | "moving") {
  await createControlDb(env.DB).update(accountShards).set({ state }).where(eq(accountShards.accountId, accountId));
  directoryCache.clear();
}

let a: TestAccount;
let b: TestAccount;
beforeAll(async () => {
  a = await createAccount("On shard 0", { shard: 0 });
  b = await createAccount("On shard 1", { shard: 1 });
});
beforeEach(() => directoryCache.clear());

describe("placement (src/shards/placement.ts, directory.ts)", () => {
  it("tests and local runs have at least two shards", () => {
    expect(shardCount(env)).toBeGreaterThanOrEqual(2);
  });

  it("a new account goes to the least loaded shard, the lowest number on a tie", async () => {
    expect(chooseShard([3, 1, 1])).toBe(1);
    expect(chooseShard([0, 0])).toBe(0);
    expect(chooseShard([5, 2, 7, 2])).toBe(1);
    const before = await accountsPerShard(createControlDb(env.DB), shardCount(env));
    const c = await createAccount("Placed by the rule");
    expect(c.shard).toBe(chooseShard(before));
    const after = await accountsPerShard(createControlDb(env.DB), shardCount(env));
    expect(after[c.shard]).toBe((before[c.shard] ?? 0) + 1);
  });
});

describe("request path: each account's data in its own shard", () => {
  it("jobs and logs are written to the account's shard and nowhere else", async () => {
    const ja = (await jobsApi(a).create(quickStart())).body.data;
    const jb = (await jobsApi(b).create(quickStart())).body.data;
    expect(await countIn(0, "SELECT count(*) AS n FROM cron_jobs WHERE id = ?", ja.id)).toBe(1);
    expect(await countIn(1, "SELECT count(*) AS n FROM cron_jobs WHERE id = ?", ja.id)).toBe(0);
    expect(await countIn(1, "SELECT count(*) AS n FROM cron_jobs WHERE id = ?", jb.id)).toBe(1);
    expect(await countIn(0, "SELECT count(*) AS n FROM cron_jobs WHERE id = ?", jb.id)).toBe(0);
  });

  it("accounts on different shards cannot reach each other's jobs", async () => {
    const ja = (await jobsApi(a).create(quickStart())).body.data;
    // b's credentials on a's path: 403; b's path with a's job id: 404 (b's shard has no such job).
    expectProblem(await jobsApi({ ...a, headers: b.headers }).details(ja.id), 403);
    expectProblem(await jobsApi(b).details(ja.id), 404);
    expectProblem(await jobsApi(b).logs(ja.id), 404);
    expect((await jobsApi(b).list()).body.data.map((j: { id: string }) => j.id)).not.toContain(ja.id);
  });

  it("every response carries the shard session's bookmark, errors included", async () => {
    const list = await jobsApi(a).list();
    expect(list.status).toBe(200);
    const bookmark = list.headers.get(BOOKMARK_HEADER);
    expect(bookmark).toBeTruthy();
    const created = await jobsApi(a).create(quickStart());
    expect(created.headers.get(BOOKMARK_HEADER)).toBeTruthy();
    const missing = await jobsApi(a).details(crypto.randomUUID());
    expect(missing.status).toBe(404);
    expect(missing.headers.get(BOOKMARK_HEADER)).toBeTruthy();
    // Sending a bookmark back (read your own writes) is accepted; so is a malformed one (ignored).
    const again = await jobsApi(a).send("GET", "/list", undefined);
    expect(again.status).toBe(200);
  });

  it("reads start on any replica, writes on the primary, a client's bookmark wins", async () => {
    expect(sessionConstraint("GET", null)).toBe("first-unconstrained");
    expect(sessionConstraint("HEAD", undefined)).toBe("first-unconstrained");
    expect(sessionConstraint("POST", null)).toBe("first-primary");
    expect(sessionConstraint("PATCH", null)).toBe("first-primary");
    expect(sessionConstraint("DELETE", null)).toBe("first-primary");
    expect(sessionConstraint("GET", "00000001-00000002-00004f4b-abc")).toBe("00000001-00000002-00004f4b-abc");
    expect(sessionConstraint("POST", "00000001-00000002-00004f4b-abc")).toBe("00000001-00000002-00004f4b-abc");
    expect(sessionConstraint("GET", "not a bookmark; DROP")).toBe("first-unconstrained");

    // Through the app: the constraint each request opens its shard session with.
    const opened: string[] = [];
    const spy = recordingSessions(env.SHARD_0, opened);
    const path = `/v1/cron-jobs/${a.accountId}`;
    await callWith({ SHARD_0: spy }, `${path}/list`, { headers: a.headers });
    await callWith({ SHARD_0: spy }, `${path}/create`, {
      method: "POST",
      headers: { ...a.headers, "Content-Type": "application/json" },
      body: JSON.stringify(quickStart()),
    });
    const first = await callWith({ SHARD_0: spy }, `${path}/list`, { headers: a.headers });
    const bookmark = first.headers.get(BOOKMARK_HEADER) as string;
    await callWith({ SHARD_0: spy }, `${path}/list`, { headers: { ...a.headers, [BOOKMARK_HEADER]: bookmark } });
    expect(opened).toEqual(["first-unconstrained", "first-primary", "first-unconstrained", bookmark]);
  });

  it("API keys and the directory are read from the control plane's primary, never a session", async () => {
    const sessions: string[] = [];
    const control = recordingSessions(env.DB, sessions);
    const res = await callWith(
      { DB: control, API_KEY_CACHE_SECONDS: "0", DIRECTORY_CACHE_SECONDS: "0" },
      `/v1/cron-jobs/${b.accountId}/list`,
      { headers: b.headers },
    );
    expect(res.status).toBe(200);
    expect(sessions).toEqual([]);
  });

  it("while a move fences an account, writes answer 503 with Retry-After and reads still work", async () => {
    const c = await createAccount("Being moved");
    await setDirectoryState(c.accountId, "moving");
    try {
      const write = await jobsApi(c).create(quickStart());
      expectProblem(write, 503);
      expect(write.headers.get("retry-after")).toBe("30");
      expect((await jobsApi(c).list()).status).toBe(200);
    } finally {
      await setDirectoryState(c.accountId, "active");
    }
  });
});

describe("time path: a tick per shard", () => {
  it("the Cron Trigger sends one tick message per shard", async () => {
    const sent: ShardTickMessage[] = [];
    const ticks = {
      async sendBatch(messages: Iterable<MessageSendRequest<ShardTickMessage>>) {
        for (const m of messages) sent.push(m.body);
      },
    };
    expect(await fanOutShardTicks(ticks, [0, 1, 2], "dispatch", 1_000)).toBe(3);
    expect(sent).toEqual(
      [0, 1, 2].map((shard) => ({ type: "shard-tick", task: "dispatch", shard, scheduledTime: 1_000 })),
    );
  });

  it("a tick that uses its page budget reports incomplete; the continuation claims the rest, nothing twice", async () => {
    const c = await createAccount("Many due jobs");
    const now = Date.now();
    const db = await accountDb(c.accountId);
    const rows = Array.from({ length: 150 }, () => ({ ...jobRow(c.accountId, now), id: crypto.randomUUID() }));
    // One row per INSERT: a job row binds over half of D1's 100 parameters per statement.
    for (const row of rows) await db.insert(cronJobs).values(row);
    const q = captureQueue();
    const first = await dispatchTick(db, q, now, now, { maxPages: 1 });
    expect(first).toMatchObject({ claimed: 100, pages: 1, complete: false });
    const second = await dispatchTick(db, q, now, now, { maxPages: 1 });
    expect(second).toMatchObject({ claimed: 50, complete: true });
    const third = await dispatchTick(db, q, now, now, { maxPages: 1 });
    expect(third).toMatchObject({ claimed: 0, due: 0, complete: true });
    expect(new Set(q.sent.map((m) => (m.body as { runId: string }).runId)).size).toBe(150);
  });

  it("a shard tick that used its page budget and a sweep stopped at its time budget send themselves again; finished ones do not", async () => {
    const c = await createAccount("Continued shard tick");
    const now = Date.now();
    const db = await accountDb(c.accountId);
    const rows = Array.from({ length: 150 }, () => ({ ...jobRow(c.accountId, now), id: crypto.randomUUID() }));
    for (const row of rows) await db.insert(cronJobs).values(row);
    const ticks = captureQueue();
    const runs = captureQueue();
    const shardEnv = { ...env, TICKS: ticks, RUNS: runs } as unknown as Env;
    const dispatch: ShardTickMessage = { type: "shard-tick", task: "dispatch", shard: c.shard, scheduledTime: now };
    // Page budget 1 (100 jobs): the first invocation continues, and each continuation is the same message again.
    let invocations = 0;
    for (let next: unknown = dispatch; next; next = ticks.take()[0]?.body) {
      expect(next).toEqual(dispatch);
      await runShardTick(shardEnv, dispatch, { maxPages: 1 });
      invocations++;
    }
    expect(invocations).toBeGreaterThanOrEqual(2);
    const ids = rows.map((r) => r.id);
    const runsOfAccount =
      "SELECT count(*) AS n FROM run_ledger WHERE job_id IN (SELECT id FROM cron_jobs WHERE account_id = ?)";
    expect(await countIn(c.shard, runsOfAccount, c.accountId)).toBe(150);
    // One run message per job: each claimed once across the invocations.
    const sentFor = runs.sent.map((m) => (m.body as { jobId: string }).jobId).filter((id) => ids.includes(id));
    expect(sentFor.sort()).toEqual([...ids].sort());

    // The sweep: expired logs, a zero time budget (stops before its first chunk), then a full one.
    const job = await insertJob(c.accountId);
    await insertLogs(job.id, c.accountId, [
      { executedAt: now - 40 * 86_400_000 },
      { executedAt: now - 35 * 86_400_000 },
    ]);
    const sweepMsg: ShardTickMessage = { type: "shard-tick", task: "sweep", shard: c.shard, scheduledTime: now };
    await runShardTick(shardEnv, sweepMsg, { sweepBudgetMs: 0 });
    expect(ticks.take().map((m) => m.body)).toEqual([sweepMsg]);
    const logsOf = "SELECT count(*) AS n FROM execution_logs WHERE cron_job_id = ?";
    expect(await countIn(c.shard, logsOf, job.id)).toBe(2);
    await runShardTick(shardEnv, sweepMsg);
    expect(ticks.take()).toEqual([]);
    expect(await countIn(c.shard, logsOf, job.id)).toBe(0);
  });

  it("a shard's tick claims only that shard's due jobs", async () => {
    const now = Date.now();
    const ja = await insertJob(a.accountId, { nextRunAt: now - 1000 });
    const jb = await insertJob(b.accountId, { nextRunAt: now - 1000 });
    await runShardTick(env, { type: "shard-tick", task: "dispatch", shard: 1, scheduledTime: now });
    expect(await countIn(1, "SELECT count(*) AS n FROM run_ledger WHERE job_id = ?", jb.id)).toBe(1);
    expect(await countIn(0, "SELECT count(*) AS n FROM run_ledger WHERE job_id = ?", ja.id)).toBe(0);
    await runShardTick(env, { type: "shard-tick", task: "dispatch", shard: 0, scheduledTime: now });
    expect(await countIn(0, "SELECT count(*) AS n FROM run_ledger WHERE job_id = ?", ja.id)).toBe(1);
  });

  it("run messages are consumed against the shard the directory names at consumption time", async () => {
    const now = Date.now();
    const ja = await insertJob(a.accountId, { nextRunAt: now - 1000, maxRetries: 0 });
    const jb = await insertJob(b.accountId, { nextRunAt: now - 1000, maxRetries: 0 });
    const rows = await Promise.all(
      [ja, jb].map(async (j) => {
        const db = await accountDb(j.accountId);
        const { insertRunStatement } = await import("../../src/engine/ledger");
        const key = { jobId: j.id, slot: now - 1000, attempt: 0, nonce: null };
        await insertRunStatement(db, {
          ...key,
          accountId: j.accountId,
          origin: "schedule",
          plannedAt: key.slot,
          sentAt: now,
          now,
        });
        return runMessage({ id: runId(key), jobId: j.id, accountId: j.accountId });
      }),
    );
    const batch = batchOf(rows);
    await consumeRunsBatch(env, batch);
    expect(await countIn(0, "SELECT count(*) AS n FROM execution_logs WHERE cron_job_id = ?", ja.id)).toBe(1);
    expect(await countIn(1, "SELECT count(*) AS n FROM execution_logs WHERE cron_job_id = ?", jb.id)).toBe(1);
    expect(await countIn(0, "SELECT count(*) AS n FROM execution_logs WHERE cron_job_id = ?", jb.id)).toBe(0);
  });

  it("a run of an account being moved is held (sent back with a delay); one with no directory entry is dropped with a log", async () => {
    const c = await createAccount("Moving runs");
    await setDirectoryState(c.accountId, "moving");
    try {
      const retried: Array<{ id: string; delaySeconds?: number }> = [];
      const acked: string[] = [];
      const message = (id: string, accountId: string) => ({
        id,
        timestamp: new Date(),
        attempts: 1,
        body: { type: "run" as const, runId: "exe_x", jobId: crypto.randomUUID(), accountId },
        ack: () => acked.push(id),
        retry: (o?: { delaySeconds?: number }) => retried.push({ id, delaySeconds: o?.delaySeconds }),
      });
      const held = captureQueue();
      const moving = message("moving", c.accountId);
      await consumeRunsBatch(
        env,
        {
          queue: "edgecron-runs",
          metadata: undefined as never,
          messages: [moving, message("unknown", crypto.randomUUID())],
          ackAll: () => {},
          retryAll: () => {},
        } as unknown as MessageBatch<never>,
        { holdQueues: { runs: held, deadLetters: captureQueue() } },
      );
      // Waiting is not failing: a fresh copy waits out the delay, so no delivery attempt is spent.
      expect(held.sent).toEqual([{ body: moving.body, delaySeconds: MOVING_RETRY_SECONDS }]);
      expect(retried).toEqual([]);
      expect(acked).toEqual(["moving", "unknown"]);
    } finally {
      await setDirectoryState(c.accountId, "active");
    }
  });

  it("scheduled() runs due jobs of accounts on different shards end to end through the real queues", async () => {
    const now = Date.now();
    const ja = await insertJob(a.accountId, { nextRunAt: now - 60_000, maxRetries: 0 });
    const jb = await insertJob(b.accountId, { nextRunAt: now - 60_000, maxRetries: 0 });
    await worker.scheduled(createScheduledController({ cron: DISPATCH_CRON, scheduledTime: now }), env);
    await vi.waitFor(
      async () => {
        expect(await countIn(0, "SELECT count(*) AS n FROM execution_logs WHERE cron_job_id = ?", ja.id)).toBe(1);
        expect(await countIn(1, "SELECT count(*) AS n FROM execution_logs WHERE cron_job_id = ?", jb.id)).toBe(1);
      },
      { timeout: 15_000, interval: 100 },
    );
  });
});

/** A due every-minute job row (the jobs API has its own tests). */
function jobRow(accountId: string, now: number) {
  return {
    accountId,
    name: "Due",
    endpointUrl: "https://example.com/hook",
    method: "POST",
    timezone: "UTC",
    schedule: "* * * * *",
    scheduleConfig: JSON.stringify({ cron: "* * * * *" }),
    scheduleAnchorAt: now - 3_600_000,
    // The minute slot at or before now: an older one would leave a missed span beside the run (catch-up).
    nextRunAt: Math.floor(now / 60_000) * 60_000,
    createdAt: now,
    updatedAt: now,
  };
}

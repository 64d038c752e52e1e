import { beforeEach, describe, expect, inject, it } from "vitest";
import { consumeRun } from "../../src/engine/consume";
import { createHttpExecutor } from "../../src/engine/executors/http";
import { findRun, LEASE_MARGIN_MS } from "../../src/engine/ledger";
import { CONSUMER_WALL_TIME_SECONDS, consumeBatch, MAX_IN_FLIGHT } from "../../src/engine/queue-handler";
import { MAX_TIMEOUT_SECONDS } from "../../src/jobs/schemas";
import type { ExecutionRequest, ExecutionResult, Executor } from "../../src/lib/execution";
import { findLog } from "../../src/logs/store";
import wranglerToml from "../../wrangler.toml?raw";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { queuedRun, refOf, testDeps } from "../helpers/engine";
import { db, insertJob } from "../helpers/fixtures";
import { batchOf } from "../helpers/queue";
import { shardD1 } from "../helpers/shards";

const T = Date.UTC(2026, 5, 1, 12, 0, 0);
const OK: ExecutionResult = {
  status: "success",
  responseCode: 200,
  responseBody: null,
  errorMessage: null,
  responseTimeMs: 1,
  retryAfterSeconds: null,
};
const FAR = Date.UTC(2099, 0, 1);
const port = inject("targetPort");
let acct: TestAccount;
beforeEach(async () => {
  acct = await createAccount();
});

describe("a 120 s timeout", () => {
  it("is enforced: a target slower than the (shortened) deadline gives a timeout log saying 120 s", async () => {
    const job = await insertJob(acct.accountId, {
      nextRunAt: FAR,
      endpointUrl: `http://127.0.0.1:${port}/slow`,
      method: "GET",
      timeoutSeconds: 120,
      maxRetries: 0,
    });
    // /slow answers after 5 s; 120 s on a 1/100 clock is 1.2 s.
    const seen: number[] = [];
    const http = createHttpExecutor({ allowPrivateTargets: true, deadlineMs: (s) => s * 10 });
    const executor: Executor = {
      execute: (req: ExecutionRequest) => {
        seen.push(req.timeoutSeconds);
        return http.execute(req);
      },
    };
    const deps = testDeps({ executor, now: () => T });
    const msg = await queuedRun(job, T);
    expect((await consumeRun(deps, msg)).result).toBe("executed");
    expect(seen).toEqual([120]);
    const log = await findLog(db(), msg.runId);
    expect(log).toMatchObject({
      status: "timeout",
      errorMessage: "Request timed out after 120 seconds",
      responseTimeMs: 120_000,
      decidedBy: null,
    });
  });

  it("a target within the deadline succeeds", async () => {
    const job = await insertJob(acct.accountId, {
      nextRunAt: FAR,
      endpointUrl: `http://127.0.0.1:${port}/ok`,
      method: "GET",
      timeoutSeconds: 120,
    });
    const deps = testDeps({
      executor: createHttpExecutor({ allowPrivateTargets: true, deadlineMs: (s) => s * 10 }),
      now: () => T,
    });
    const msg = await queuedRun(job, T);
    await consumeRun(deps, msg);
    expect(await findLog(db(), msg.runId)).toMatchObject({ status: "success", responseCode: 200 });
  });

  it("the run's lease covers the timeout plus the recording margin", async () => {
    const job = await insertJob(acct.accountId, { nextRunAt: FAR, timeoutSeconds: 600 });
    let lease: number | null | undefined;
    const msg = await queuedRun(job, T);
    const executor: Executor = {
      async execute(): Promise<ExecutionResult> {
        lease = (await findRun(db(), refOf(msg)))?.leaseUntil;
        return OK;
      },
    };
    await consumeRun(testDeps({ executor, now: () => T }), msg);
    expect(lease).toBe(T + 600_000 + LEASE_MARGIN_MS);
  });
});

describe("a consumer invocation (15 minutes of wall time) runs its batch within the limit", () => {
  it("every run consumer's max_batch_size is at most MAX_IN_FLIGHT, and the longest timeout fits with room to record", () => {
    const sizes = [...wranglerToml.matchAll(/^max_batch_size\s*=\s*(\d+)/gm)].map((m) => Number(m[1]));
    expect(sizes.length).toBeGreaterThanOrEqual(2);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(MAX_IN_FLIGHT);
    expect(CONSUMER_WALL_TIME_SECONDS).toBe(900);
    // One wave per batch: the slowest run plus its lease's recording margin, with minutes to spare.
    expect(MAX_TIMEOUT_SECONDS + LEASE_MARGIN_MS / 1000).toBeLessThanOrEqual(CONSUMER_WALL_TIME_SECONDS - 240);
  });

  it("a full batch of long runs is in flight at once: no message waits for another", async () => {
    const jobs = await Promise.all(
      Array.from({ length: MAX_IN_FLIGHT }, () => insertJob(acct.accountId, { nextRunAt: FAR, timeoutSeconds: 600 })),
    );
    let inFlight = 0;
    let most = 0;
    let release: () => void = () => {};
    const allStarted = new Promise<void>((resolve) => {
      release = resolve;
    });
    const executor: Executor = {
      async execute(): Promise<ExecutionResult> {
        inFlight++;
        most = Math.max(most, inFlight);
        if (inFlight === MAX_IN_FLIGHT) release();
        // Each "long" call ends only once all of them have started: a batch that ran them one after another
        // (or more than MAX_IN_FLIGHT apart) would never get here.
        await allStarted;
        inFlight--;
        return OK;
      },
    };
    const msgs = await Promise.all(jobs.map((job) => queuedRun(job, T)));
    const batch = batchOf(msgs);
    await consumeBatch(testDeps({ executor, now: () => T }), batch);
    expect(most).toBe(MAX_IN_FLIGHT);
    const done = await shardD1()
      .prepare(`SELECT count(*) AS n FROM run_ledger WHERE id IN (${msgs.map(() => "?").join(",")}) AND state = 'done'`)
      .bind(...msgs.map((m) => m.runId))
      .first();
    expect(done).toEqual({ n: MAX_IN_FLIGHT });
  });
});

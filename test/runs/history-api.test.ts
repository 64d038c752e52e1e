/**
 * GET /v1/cron-jobs/{accountId}/runs/{cron_job_id}: a job's schedule history from the run ledger, newest first,
 * with missed slots as one span (src/engine/catchup.ts), cursor paging, filters and 400s naming the field.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { CronJobRow } from "../../src/db/schema";
import { consumeRun } from "../../src/engine/consume";
import { dispatchTick } from "../../src/engine/dispatch";
import { triggerNow } from "../../src/engine/trigger";
import { findJob, softDeleteJob } from "../../src/jobs/repository";
import { executionId } from "../../src/lib/execution-id";
import type { RunMessage } from "../../src/lib/messages";
import { nextRuns } from "../../src/lib/schedule/next-run";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { FAIL_500, scriptedExecutor, testDeps } from "../helpers/engine";
import { db, insertJob } from "../helpers/fixtures";
import { api, expectProblem } from "../helpers/http";

const MIN = 60_000;
const T = Date.UTC(2032, 1, 1, 12, 0);
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z");

interface Entry {
  kind: "run" | "span";
  slot?: string;
  first_slot?: string;
  last_slot?: string;
  count?: number;
  attempt: number;
  state: string;
  reason: string | null;
  origin: string;
  execution_id: string | null;
  planned_at?: string;
}

let acct: TestAccount;
let job: { id: string; accountId: string };
let manualId = "";
let manualSlot = 0;

const history = (query = "", headers = acct.headers, jobId = job.id) =>
  api(`/v1/cron-jobs/${acct.accountId}/runs/${jobId}${query}`, { headers });

/** The whole history through cursor pages of `limit`. */
async function allPages(query: string, limit: number): Promise<Entry[]> {
  const out: Entry[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 50; i++) {
    const sep = query ? "&" : "?";
    const res = await history(`${query}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(res.status).toBe(200);
    expect(res.body.data.length).toBeLessThanOrEqual(limit);
    out.push(...res.body.data);
    cursor = res.body.pagination.next_cursor;
    if (!cursor) return out;
  }
  throw new Error("no last page");
}

beforeAll(async () => {
  acct = await createAccount();
  job = await insertJob(acct.accountId, {
    nextRunAt: T,
    schedule: "* * * * *",
    scheduleConfig: JSON.stringify({ cron: "* * * * *", end_type: "never" }),
    scheduleAnchorAt: T - MIN,
    timezone: "UTC",
    maxRetries: 1,
    retryDelaySeconds: 10,
  });
  let now = T;
  const deps = testDeps({ executor: scriptedExecutor(FAIL_500, {}), now: () => now });
  const tick = async (t: number, consume = true) => {
    now = t;
    await dispatchTick(db(), deps.queue, t, t);
    if (!consume) return;
    // The first attempt, then the retry its failure sends.
    for (let m = deps.queue.take(); m.length > 0; m = deps.queue.take()) {
      for (const x of m) if (x.body.type === "run") await consumeRun(deps, x.body as RunMessage);
    }
  };
  await tick(T); // fails, its retry succeeds
  await tick(T + MIN);
  now = manualSlot = T + 90_000;
  const outcome = await triggerNow(deps, (await findJob(db(), acct.accountId, job.id)) as CronJobRow);
  manualId = outcome?.executionId ?? "";
  await tick(T + 30 * MIN); // an outage: 12:02–12:29 missed, 12:30 runs
  await tick(T + 31 * MIN, false); // queued, not run yet
});

describe("GET …/runs/{cron_job_id}", () => {
  it("lists every run newest first: attempts, a manual run and the missed span as one entry", async () => {
    const res = await history();
    expect(res.status).toBe(200);
    const slotT = [executionId(job.id, T, 0), executionId(job.id, T, 1)].sort().reverse();
    const attemptOf = (id: string) => (id === executionId(job.id, T, 0) ? 0 : 1);
    const done = (slot: number, id: string, attempt = 0): Entry => ({
      kind: "run",
      slot: iso(slot),
      planned_at: expect.any(String),
      attempt,
      state: "done",
      reason: null,
      origin: "schedule",
      execution_id: id,
    });
    expect(res.body).toEqual({
      data: [
        {
          kind: "run",
          slot: iso(T + 31 * MIN),
          planned_at: iso(T + 31 * MIN),
          attempt: 0,
          state: "queued",
          reason: null,
          origin: "schedule",
          execution_id: null,
        },
        done(T + 30 * MIN, executionId(job.id, T + 30 * MIN, 0)),
        {
          kind: "span",
          first_slot: iso(T + 2 * MIN),
          last_slot: iso(T + 29 * MIN),
          count: 28,
          attempt: 0,
          state: "skipped",
          reason: "missed",
          origin: "schedule",
          execution_id: null,
        },
        { ...done(manualSlot, manualId), origin: "manual" },
        done(T + MIN, executionId(job.id, T + MIN, 0)),
        ...slotT.map((id) => done(T, id, attemptOf(id))),
      ],
      pagination: { limit: 50, next_cursor: null },
    });
  });

  it("every slot of the job appears exactly once, as a run's first attempt or inside a span", async () => {
    const entries = await allPages("", 2);
    const covered: number[] = [];
    for (const e of entries) {
      if (e.kind === "span") {
        const first = Date.parse(e.first_slot as string);
        const slots = [
          first,
          ...nextRuns(
            { config: { cron: "* * * * *", repeat_every: 1, end_type: "never" }, timezone: "UTC", anchorAt: T },
            first,
            1000,
          ),
        ];
        const inSpan = slots.filter((s) => s <= Date.parse(e.last_slot as string));
        expect(inSpan).toHaveLength(e.count as number);
        covered.push(...inSpan);
      } else if (e.origin === "schedule" && e.attempt === 0) covered.push(Date.parse(e.slot as string));
    }
    const expected = Array.from({ length: 32 }, (_, i) => T + i * MIN);
    expect(covered.sort((a, b) => a - b)).toEqual(expected);
  });

  it("cursor pages of any size add up to the whole history, in order, without repeats", async () => {
    const whole = (await history()).body.data as Entry[];
    for (const limit of [1, 2, 3, 7]) expect(await allPages("", limit)).toEqual(whole);
  });

  it("filters by state and by slot range; a span reaching into start_date is included", async () => {
    const kinds = (entries: Entry[]) => entries.map((e) => `${e.kind}:${e.slot ?? e.first_slot}:${e.state}`);
    const skipped = await history("?state=skipped");
    expect(kinds(skipped.body.data)).toEqual([`span:${iso(T + 2 * MIN)}:skipped`]);
    const queued = await history("?state=queued");
    expect(kinds(queued.body.data)).toEqual([`run:${iso(T + 31 * MIN)}:queued`]);
    // 12:10–12:30: the span that started at 12:02 still covers 12:10.
    const range = await allPages(`?start_date=${iso(T + 10 * MIN)}&end_date=${iso(T + 30 * MIN)}`, 1);
    expect(kinds(range)).toEqual([`run:${iso(T + 30 * MIN)}:done`, `span:${iso(T + 2 * MIN)}:skipped`]);
    const doneInRange = await history(`?state=done&start_date=${iso(T + 10 * MIN)}`);
    expect(kinds(doneInRange.body.data)).toEqual([`run:${iso(T + 30 * MIN)}:done`]);
    const early = await history(`?end_date=${iso(T + MIN)}`);
    expect(early.body.data.map((e: Entry) => e.slot)).toEqual([iso(T + MIN), iso(T), iso(T)]);
    // An end_date past the cursor leaves the cursor in charge, and the reverse.
    const first = await history(`?end_date=${iso(T + 30 * MIN)}&limit=1`);
    const next = await history(
      `?end_date=${iso(T + 30 * MIN)}&limit=1&cursor=${encodeURIComponent(first.body.pagination.next_cursor)}`,
    );
    expect(kinds([...first.body.data, ...next.body.data])).toEqual([
      `run:${iso(T + 30 * MIN)}:done`,
      `span:${iso(T + 2 * MIN)}:skipped`,
    ]);
  });

  it("read-only keys can read it", async () => {
    const key = await api(`/v1/cron-jobs/${acct.accountId}/keys`, {
      method: "POST",
      headers: { ...acct.headers, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "ro", scope: "read_only" }),
    });
    expect(key.status).toBe(201);
    const ro = { "X-API-Key": key.body.data.id, "X-API-Secret": key.body.data.api_secret };
    const res = await history("", ro);
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(7);
  });

  it("bad query input → 400 naming each field", async () => {
    const fields = (body: Record<string, unknown>) =>
      ((body.errors as Array<{ field: string; in: string }>) ?? []).map((e) => `${e.in}:${e.field}`).sort();
    const cases: Array<[string, string[]]> = [
      ["?state=finished", ["query:state"]],
      ["?start_date=yesterday", ["query:start_date"]],
      ["?end_date=2032-13-01", ["query:end_date"]],
      ["?cursor=v1.garbage", ["query:cursor"]],
      ["?limit=0", ["query:limit"]],
      ["?limit=101&state=DONE", ["query:limit", "query:state"]],
      ["?page=2", ["query:page"]],
      [`?start_date=${iso(T + MIN)}&end_date=${iso(T)}`, ["query:start_date"]],
    ];
    for (const [query, expected] of cases)
      expect(fields(expectProblem(await history(query), 400)), query).toEqual(expected);
    // A logs cursor whose id is not an execution id of its slot is not one this endpoint issued.
    const foreign = `v1.${btoa(JSON.stringify([T, executionId(job.id, T + MIN, 0)])).replace(/=+$/, "")}`;
    expect(fields(expectProblem(await history(`?cursor=${foreign}`), 400))).toEqual(["query:cursor"]);
    expect(fields(expectProblem(await history("", acct.headers, "not-a-uuid"), 400))).toEqual(["path:cron_job_id"]);
  });

  it("404 for an unknown job, another account's job or a deleted one", async () => {
    expectProblem(await history("", acct.headers, crypto.randomUUID()), 404);
    const other = await createAccount();
    const theirs = await insertJob(other.accountId, {});
    expectProblem(await history("", acct.headers, theirs.id), 404);
    expectProblem(await api(`/v1/cron-jobs/${other.accountId}/runs/${job.id}`, { headers: other.headers }), 404);
    await softDeleteJob(db(), other.accountId, theirs.id, Date.now());
    expectProblem(await api(`/v1/cron-jobs/${other.accountId}/runs/${theirs.id}`, { headers: other.headers }), 404);
  });

  it("is in the OpenAPI document, one schema per entry shape", async () => {
    const doc = (await api("/openapi.json")).body;
    const op = doc.paths["/v1/cron-jobs/{accountId}/runs/{cron_job_id}"]?.get;
    expect(op?.operationId).toBe("listCronJobRuns");
    expect(op.parameters.map((p: { name: string }) => p.name).sort()).toEqual(
      ["accountId", "cron_job_id", "cursor", "end_date", "limit", "start_date", "state"].sort(),
    );
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(["CronJobRun", "CronJobRunSpan", "CronJobRunEntry", "CronJobRunsPage"]),
    );
  });
});

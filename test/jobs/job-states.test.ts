import { beforeEach, describe, expect, it } from "vitest";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { expectProblem } from "../helpers/http";
import { jobsApi, quickStart } from "../helpers/jobs";
import { shardD1 } from "../helpers/shards";

let acct: TestAccount;
let jobs: ReturnType<typeof jobsApi>;
beforeEach(async () => {
  acct = await createAccount();
  jobs = jobsApi(acct);
});

const plain = () => ({ ...quickStart(), callbacks: undefined, retry_config: { max_retries: 0 } });

/** Puts a job in the state the engine leaves an ended schedule in. */
async function complete(id: string) {
  await shardD1()
    .prepare("UPDATE cron_jobs SET state = 'completed', is_active = 0, next_run_at = NULL WHERE id = ?")
    .bind(id)
    .run();
}

describe("job states", () => {
  it("a new job is active; is_active false pauses it and true resumes it", async () => {
    const job = (await jobs.create(plain())).body.data;
    expect(job).toMatchObject({ state: "active", is_active: true });
    expect((await jobs.update(job.id, { is_active: false })).body.data).toMatchObject({
      state: "paused",
      is_active: false,
      next_run_at: null,
    });
    const resumed = (await jobs.update(job.id, { is_active: true })).body.data;
    expect(resumed).toMatchObject({ state: "active", is_active: true });
    expect(resumed.next_run_at).not.toBeNull();
    expect((await jobs.create({ ...plain(), is_active: false })).body.data.state).toBe("paused");
  });

  it("is_active true on a completed job is a 409 saying the schedule has ended", async () => {
    const job = (await jobs.create(plain())).body.data;
    await complete(job.id);
    expect((await jobs.details(job.id)).body.data).toMatchObject({ state: "completed", is_active: false });
    const res = await jobs.update(job.id, { is_active: true });
    expectProblem(res, 409, /schedule has ended/);
    expect((await jobs.details(job.id)).body.data.state).toBe("completed");
  });

  it("a new schedule reactivates a completed job (is_active: true or its echoed false alike)", async () => {
    const schedule = { repeat_type: "hourly", repeat_every: 1, time: "00:30", end_type: "never" };
    for (const extra of [{}, { is_active: true }]) {
      const job = (await jobs.create(plain())).body.data;
      await complete(job.id);
      const res = await jobs.update(job.id, { schedule_config: schedule, ...extra });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ state: "active", is_active: true });
      expect(res.body.data.next_run_at).not.toBeNull();
    }
    // is_active: false is what a completed job already says (an echo): the new schedule still reactivates it.
    const job = (await jobs.create(plain())).body.data;
    await complete(job.id);
    const echoed = await jobs.update(job.id, { schedule_config: schedule, is_active: false });
    expect(echoed.body.data).toMatchObject({ state: "active", is_active: true });
  });

  it("other edits leave a completed job completed", async () => {
    const job = (await jobs.create(plain())).body.data;
    await complete(job.id);
    const res = await jobs.update(job.id, { name: "Renamed" });
    expect(res.body.data).toMatchObject({ name: "Renamed", state: "completed", is_active: false });
  });

  it("resuming a paused job whose schedule ended meanwhile is a 409, not an active job that never runs", async () => {
    const job = (
      await jobs.create({
        ...plain(),
        schedule_config: {
          repeat_type: "hourly",
          repeat_every: 1,
          time: "00:00",
          end_type: "after",
          end_occurrences: 1,
        },
      })
    ).body.data;
    await jobs.update(job.id, { is_active: false });
    await shardD1().prepare("UPDATE cron_jobs SET occurrences = 1 WHERE id = ?").bind(job.id).run();
    expectProblem(await jobs.update(job.id, { is_active: true }), 409, /schedule has ended/);
  });

  it("completed jobs do not count toward the active-job limit", async () => {
    // MAX_ACTIVE_JOBS is 100 in tests: fill the account, complete one, and there is room for one more.
    const ids: string[] = [];
    for (let k = 0; k < 100; k++) ids.push((await jobs.create(plain())).body.data.id);
    expectProblem(await jobs.create(plain()), 409);
    await complete(ids[0] as string);
    expect((await jobs.create(plain())).status).toBe(201);
  });

  it("run-now on a completed job is a 409; on a paused one a 400 as before", async () => {
    const job = (await jobs.create(plain())).body.data;
    await complete(job.id);
    expectProblem(await jobs.send("POST", `/trigger/${job.id}`), 409, /has ended/);
  });

  it("concurrent run-nows are distinct runs: distinct execution ids, one log each, counters +N", async () => {
    const job = (await jobs.create(plain())).body.data;
    const results = await Promise.all([0, 1, 2, 3].map(() => jobs.send("POST", `/trigger/${job.id}`)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const ids = results.map((r) => r.body.data.execution_id);
    expect(new Set(ids).size).toBe(4);
    const logs = (await jobs.logs(job.id)).body.data as Array<{ id: string; trigger: string; scheduled_at: null }>;
    expect(logs.map((l) => l.id).sort()).toEqual([...ids].sort());
    expect(logs.every((l) => l.trigger === "manual" && l.scheduled_at === null)).toBe(true);
    expect((await jobs.details(job.id)).body.data.total_executions).toBe(4);
  });
});

describe("callbacks.notify", () => {
  it("defaults to attempt for new jobs; always is stored as final; final and on_change as given", async () => {
    const urls = { success_url: "https://h.example/ok", failure_url: "https://h.example/fail" };
    expect((await jobs.create({ ...plain(), callbacks: urls })).body.data.callbacks.notify).toBe("attempt");
    for (const [sent, stored] of [
      ["always", "final"],
      ["final", "final"],
      ["on_change", "on_change"],
      ["attempt", "attempt"],
    ]) {
      const job = (await jobs.create({ ...plain(), callbacks: { ...urls, notify: sent } })).body.data;
      expect(job.callbacks.notify).toBe(stored);
      const row = await shardD1()
        .prepare("SELECT json_extract(callbacks, '$.notify') AS n FROM cron_jobs WHERE id = ?")
        .bind(job.id)
        .first();
      expect(row).toEqual({ n: stored });
    }
    const job = (await jobs.create({ ...plain(), callbacks: urls })).body.data;
    expect((await jobs.update(job.id, { callbacks: { notify: "always" } })).body.data.callbacks.notify).toBe("final");
    expectProblem(await jobs.create({ ...plain(), callbacks: { notify: "sometimes" } }), 400);
  });
});

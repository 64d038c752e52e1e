/** The job page's "Last run" (src/dashboard/client/last-run.ts): final outcomes, and runs still retrying. */
import { describe, expect, it } from "vitest";
import { lastRun, retryDelaySeconds } from "../../src/dashboard/client/last-run";
import type { ExecutionLog, Job } from "../../src/dashboard/client/types";

const job = (over: Partial<Job> = {}) =>
  ({
    state: "active",
    last_run_at: null,
    last_run_status: null,
    total_executions: 0,
    max_retries: 3,
    retry_delay_seconds: 60,
    retry_config: { backoff: "fixed" },
    ...over,
  }) as Job;

const log = (over: Partial<ExecutionLog> = {}) =>
  ({
    executed_at: "2026-06-01T12:00:00Z",
    status: "failure",
    retry_attempt: 0,
    response_code: 500,
    response_headers: {},
    ...over,
  }) as ExecutionLog;

describe("lastRun", () => {
  it("never, for a job without executions", () => {
    expect(lastRun(job(), null)).toEqual({ kind: "never" });
  });

  it("the final outcome when the newest log is that outcome", () => {
    const j = job({ last_run_at: "2026-06-01T12:00:00Z", last_run_status: "failure", total_executions: 4 });
    expect(lastRun(j, log({ retry_attempt: 3 }))).toEqual({
      kind: "final",
      at: "2026-06-01T12:00:00Z",
      status: "failure",
    });
  });

  it("retrying, right after a failed first attempt with retries left: attempt 2 of 4 after the delay", () => {
    const j = job({ total_executions: 1 });
    expect(lastRun(j, log())).toEqual({
      kind: "retrying",
      attempt: 2,
      of: 4,
      nextAt: "2026-06-01T12:01:00.000Z",
      previous: { kind: "never" },
    });
  });

  it("retrying after an earlier final outcome names it as the previous run", () => {
    const j = job({ last_run_at: "2026-06-01T11:00:00Z", last_run_status: "success", total_executions: 5 });
    const r = lastRun(j, log({ retry_attempt: 1 }));
    expect(r).toMatchObject({ kind: "retrying", attempt: 3, of: 4, previous: { kind: "final", status: "success" } });
  });

  it("exponential backoff doubles the delay per attempt; Retry-After on a 429 or 503 wins; all capped at 1 h", () => {
    const exp = job({ retry_config: { backoff: "exponential" } as Job["retry_config"] });
    expect(retryDelaySeconds(exp, log({ retry_attempt: 2 }))).toBe(240);
    expect(retryDelaySeconds(exp, log({ response_code: 429, response_headers: { "retry-after": "30" } }))).toBe(30);
    expect(
      retryDelaySeconds(
        exp,
        log({ response_code: 503, response_headers: { "retry-after": "Mon, 01 Jun 2026 12:02:00 GMT" } }),
      ),
    ).toBe(120);
    // A Retry-After on another status is not what the engine reads.
    expect(retryDelaySeconds(job(), log({ response_code: 500, response_headers: { "retry-after": "5" } }))).toBe(60);
    expect(retryDelaySeconds(exp, log({ retry_attempt: 10 }))).toBe(3600);
  });

  it("a paused job skips its pending retries: it says so rather than promising one", () => {
    const j = job({ state: "paused", total_executions: 1 });
    expect(lastRun(j, log())).toEqual({
      kind: "stopped",
      attempt: 1,
      of: 4,
      state: "paused",
      previous: { kind: "never" },
    });
  });

  it("running, when executions are counted but no log says more", () => {
    expect(lastRun(job({ total_executions: 1 }), null)).toEqual({ kind: "running" });
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { COMPLETION_URL_HEADER, type CompletionAnswer } from "../../src/engine/completion";
import { expireDeadlines, recordCompletion } from "../../src/engine/completion-record";
import { consumeRun } from "../../src/engine/consume";
import { findRun } from "../../src/engine/ledger";
import type { RunMessage } from "../../src/lib/messages";
import { createAccount } from "../helpers/accounts";
import { queuedRun, refOf, scriptedExecutor, testDeps } from "../helpers/engine";
import { insertJob } from "../helpers/fixtures";
import { shardD1 } from "../helpers/shards";
import { storedLogs } from "../helpers/stored-logs";

/** Each job's deadline after its start. */
const TIMEOUT_S = 60;
const HOOK = { type: "webhook", url: "https://hooks.example.com/alerts" };

type Report = "success" | "failure";
type Cmd =
  | { k: "post"; i: number; report: Report }
  | { k: "postTwice"; i: number; report: Report }
  | { k: "race"; i: number; report: Report }
  | { k: "badToken"; i: number }
  | { k: "tick" }
  | { k: "redeliver"; i: number }
  | { k: "advance"; ms: number };

const RUNS = 3;
const i = fc.nat(RUNS - 1);
const report = fc.constantFrom<Report>("success", "failure");
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ i, report }).map((r) => ({ k: "post" as const, ...r })) },
  { weight: 2, arbitrary: fc.record({ i, report }).map((r) => ({ k: "postTwice" as const, ...r })) },
  { weight: 3, arbitrary: fc.record({ i, report }).map((r) => ({ k: "race" as const, ...r })) },
  { weight: 1, arbitrary: i.map((i) => ({ k: "badToken" as const, i })) },
  { weight: 2, arbitrary: fc.constant({ k: "tick" as const }) },
  { weight: 1, arbitrary: i.map((i) => ({ k: "redeliver" as const, i })) },
  { weight: 3, arbitrary: fc.integer({ min: 1_000, max: 40_000 }).map((ms) => ({ k: "advance" as const, ms })) },
);

interface Run {
  jobId: string;
  msg: RunMessage;
  token: string;
  start: number;
  /** The model's outcome: the first report before the deadline, else timeout at it. */
  outcome: Report | "timeout" | null;
}

/**
 * Every awaiting run ends in exactly one outcome whatever the order of completion POSTs (repeated, conflicting,
 * racing the deadline tick), ticks and redeliveries: one log, the ledger row done, and one alert per state change
 * (each job has one run and alerts after one failure, so: one `failure` alert iff the outcome is not success).
 */
describe("async completion, model-based", () => {
  it("one outcome, one log, one alert per state change", async () => {
    const acct = await createAccount();
    await fc.assert(
      fc.asyncProperty(fc.array(cmdArb, { minLength: 1, maxLength: 14 }), async (cmds) => {
        let clock = Date.now() - 24 * 3_600_000;
        const tokens: string[] = [];
        const deps = testDeps({
          now: () => clock,
          executor: {
            async execute(req) {
              tokens.push(new URL(req.headers[COMPLETION_URL_HEADER] as string).pathname.split("/").at(-1) as string);
              return scriptedExecutor({}).execute(req);
            },
          },
        });
        const runs: Run[] = [];
        for (let n = 0; n < RUNS; n++) {
          const job = await insertJob(acct.accountId, {
            nextRunAt: Date.UTC(2099, 0, 1),
            maxRetries: 0,
            completionMode: "callback",
            completionTimeoutSeconds: TIMEOUT_S,
            alertPolicy: JSON.stringify({ channels: [HOOK], after_consecutive_failures: 1, on_recovery: true }),
          });
          const msg = await queuedRun(job, clock);
          await consumeRun(deps, msg);
          runs.push({ jobId: job.id as string, msg, token: tokens[n] as string, start: clock, outcome: null });
          clock += 1_000;
        }
        const answers: Array<{ run: Run; report: Report; answer: CompletionAnswer }> = [];
        /** The model: a report before the deadline wins if nothing won; past it the timeout wins. */
        const settle = (run: Run, r: Report | null, at: number) => {
          if (run.outcome !== null) return;
          const deadline = run.start + TIMEOUT_S * 1000;
          if (at >= deadline) run.outcome = "timeout";
          else if (r !== null) run.outcome = r;
        };
        const post = async (run: Run, r: Report) => {
          settle(run, r, clock);
          answers.push({
            run,
            report: r,
            answer: await recordCompletion(deps, refOf(run.msg), run.token, { status: r }),
          });
        };
        const tick = async () => {
          for (const run of runs) settle(run, null, clock);
          await expireDeadlines(deps, clock);
        };
        for (const c of cmds) {
          const run = runs[(c as { i?: number }).i ?? 0] as Run;
          if (c.k === "post") await post(run, c.report);
          else if (c.k === "postTwice") await Promise.all([post(run, c.report), post(run, c.report)]);
          else if (c.k === "race") await Promise.all([post(run, c.report), tick()]);
          else if (c.k === "badToken") {
            const wrong = `${run.token.slice(0, 21)}${run.token.endsWith("A") ? "B" : "A"}`;
            expect(await recordCompletion(deps, refOf(run.msg), wrong, { status: "success" })).toEqual({
              kind: "not_found",
            });
          } else if (c.k === "tick") await tick();
          else if (c.k === "redeliver") expect((await consumeRun(deps, run.msg)).result).toBe("duplicate");
          else clock += c.ms;
        }
        // Past every deadline, the tick closes what no report did.
        clock += TIMEOUT_S * 1000;
        await tick();

        for (const run of runs) {
          const logs = await storedLogs(shardD1(), [run.jobId]);
          expect(logs.map((l) => l.status)).toEqual([run.outcome]);
          expect((await findRun(deps.db, refOf(run.msg)))?.state).toBe("done");
          const { results } = await shardD1()
            .prepare("SELECT event FROM deliveries WHERE source_id = ? AND kind = 'alert'")
            .bind(run.jobId)
            .all<{ event: string }>();
          expect(results.map((r) => r.event)).toEqual(run.outcome === "success" ? [] : ["failure"]);
        }
        // A report is answered 200 exactly when it is the outcome recorded, else 409.
        for (const { run, report: r, answer } of answers) {
          expect(answer.kind).toBe(run.outcome === r ? "recorded" : "conflict");
        }
      }),
      { numRuns: 25 },
    );
  });
});

/**
 * The commands over runs and deliveries: a job's schedule history, the account's dead letters and their replay,
 * callback and alert deliveries and their redelivery. Lists print newest first, as the API pages them (`--limit`,
 * default 20); `--json` prints one JSON array.
 */
import type { DeliveryKind, DeliveryState, RunState } from "../types.js";
import { int, LIMIT_OPTION, oneOf, take, upToLimit } from "./args.js";
import { EXIT, UsageError } from "./exit-codes.js";
import type { Command, Ctx } from "./main.js";
import { bulkReplayTable, deadLettersTable, deliveriesTable, runsTable } from "./output.js";
import { parseSince } from "./time.js";

/** The bulk replay's limit per request (POST …/replay). */
export const REPLAY_BATCH = 100;

const DELIVERY_KINDS = ["callback", "alert"] as const satisfies readonly DeliveryKind[];
const DELIVERY_STATES = [
  "pending",
  "delivered",
  "failed",
  "unconfirmed",
  "refused",
  "recorded",
] as const satisfies readonly DeliveryState[];

const RUN_STATES = ["queued", "running", "awaiting", "done", "skipped", "dead"] as const satisfies readonly RunState[];

/** One id: POST …/replay/{id} and its outcome, with `jobs run`'s exit statuses. */
async function replayOne(ctx: Ctx, id: string, idempotencyKey: string | undefined): Promise<number> {
  const run = await ctx.client().replay(id, { idempotencyKey });
  if (run.status === "pending") {
    ctx.print(run, `pending (execution ${run.execution_id}, replay of ${id}): still running; its log arrives later`);
    return EXIT.runPending;
  }
  ctx.print(
    run,
    `${run.status} ${run.response_code ?? "-"} in ${run.response_time_ms ?? "-"} ms (execution ${run.execution_id}, replay of ${id})`,
  );
  return run.status === "success" ? EXIT.ok : EXIT.runFailed;
}

/**
 * Several ids: POST …/replay in batches of 100, queued without waiting. With more than one batch, batch n sends
 * the Idempotency-Key with `:n` appended, so a retried command repeats none of them.
 */
async function replayMany(ctx: Ctx, ids: string[], idempotencyKey: string | undefined): Promise<number> {
  const results = [];
  const batches = Math.ceil(ids.length / REPLAY_BATCH);
  for (let n = 1; n <= batches; n++) {
    const batch = ids.slice((n - 1) * REPLAY_BATCH, n * REPLAY_BATCH);
    const key = idempotencyKey === undefined || batches === 1 ? idempotencyKey : `${idempotencyKey}:${n}`;
    results.push(...(await ctx.client().replayMany(batch, { idempotencyKey: key })));
  }
  const queued = results.filter((r) => r.status === "queued").length;
  ctx.print(results, `${bulkReplayTable(results)}\n${queued} of ${results.length} queued`);
  return queued === results.length ? EXIT.ok : EXIT.rejected;
}

export const RUN_COMMANDS: Record<string, Command> = {
  runs: {
    usage: "runs <job-id> [--state s] [--since 1h|<ISO>] [--until …] [--limit n]",
    summary: "a job's schedule history, newest first: each run's state and reason, missed slots as one span",
    options: { state: { type: "string" }, since: { type: "string" }, until: { type: "string" }, ...LIMIT_OPTION },
    args: [1, 1],
    async run(ctx) {
      const state = oneOf(ctx, "state", RUN_STATES);
      const since = ctx.str("since");
      const until = ctx.str("until");
      const filters = {
        ...(state ? { state } : {}),
        ...(since === undefined ? {} : { start_date: parseSince(since, "--since") }),
        ...(until === undefined ? {} : { end_date: parseSince(until, "--until") }),
      };
      const rows = await upToLimit(ctx, 20, (limit) => ctx.client().runs(ctx.args[0] as string, { ...filters, limit }));
      ctx.print(rows, rows.length === 0 ? "No runs" : runsTable(rows));
      return EXIT.ok;
    },
  },
  "dead-letters": {
    usage: "dead-letters [--limit n]",
    summary: "runs closed without an outcome (undelivered, outcome_unknown), newest first; `replay` runs them again",
    options: LIMIT_OPTION,
    args: [0, 0],
    async run(ctx) {
      const rows = await upToLimit(ctx, 20, (limit) => ctx.client().deadLetters({ limit }));
      ctx.print(rows, rows.length === 0 ? "No dead letters" : deadLettersTable(rows));
      return EXIT.ok;
    },
  },
  replay: {
    usage: "replay <execution-id>… | --dead-letters [--limit n]  [--idempotency-key <key>]",
    summary: `run past executions' jobs again now: one id waits for the outcome (exit ${EXIT.runFailed}/${EXIT.runPending} as jobs run); several ids, or --dead-letters, are queued (exit ${EXIT.rejected} unless all are)`,
    options: { "dead-letters": { type: "boolean" }, ...LIMIT_OPTION, "idempotency-key": { type: "string" } },
    args: [0, 100_000],
    async run(ctx) {
      const key = ctx.str("idempotency-key");
      if (ctx.bool("dead-letters")) {
        if (ctx.args.length > 0) throw new UsageError("give execution ids or --dead-letters, not both");
        const limit = int(ctx, "limit", 1, 100_000) ?? Number.POSITIVE_INFINITY;
        const dead = await take(ctx.client().deadLetters({ limit: Math.min(limit, 100) }), limit);
        if (dead.length === 0) {
          ctx.print([], "No dead letters");
          return EXIT.ok;
        }
        return replayMany(
          ctx,
          dead.map((d) => d.execution_id),
          key,
        );
      }
      if (ctx.str("limit") !== undefined) throw new UsageError("--limit goes with --dead-letters");
      const ids = [...new Set(ctx.args)];
      if (ids.length === 0) throw new UsageError("replay needs execution ids or --dead-letters");
      return ids.length === 1 ? replayOne(ctx, ids[0] as string, key) : replayMany(ctx, ids, key);
    },
  },
  deliveries: {
    usage: "deliveries [--job <job-id>] [--kind callback|alert] [--state s] [--limit n]",
    summary: "callback and alert deliveries, newest first, with their state, attempts and latest error",
    options: { job: { type: "string" }, kind: { type: "string" }, state: { type: "string" }, ...LIMIT_OPTION },
    args: [0, 0],
    async run(ctx) {
      const kind = oneOf(ctx, "kind", DELIVERY_KINDS);
      const state = oneOf(ctx, "state", DELIVERY_STATES);
      const job = ctx.str("job");
      const filters = { ...(job ? { cron_job_id: job } : {}), ...(kind ? { kind } : {}), ...(state ? { state } : {}) };
      const rows = await upToLimit(ctx, 20, (limit) => ctx.client().deliveries({ ...filters, limit }));
      ctx.print(rows, rows.length === 0 ? "No deliveries" : deliveriesTable(rows));
      return EXIT.ok;
    },
  },
  redeliver: {
    usage: "redeliver <delivery-id>",
    summary: "send a callback or alert delivery again, through the queue (`deliveries` shows how it went)",
    args: [1, 1],
    async run(ctx) {
      const d = await ctx.client().redeliver(ctx.args[0] as string);
      ctx.print(d, `Queued ${d.id} again: ${d.state} (${d.kind} to ${d.target}, ${d.attempts} attempts so far)`);
      return EXIT.ok;
    },
  },
};

import { and, asc, eq, lte, sql } from "drizzle-orm";
import type { CronJobRow, ExecutionLogRow, RunRow } from "../db/schema";
import { runs } from "../db/schema";
import { findJobIncludingDeleted } from "../jobs/repository";
import type { ExecutionResult } from "../lib/execution";
import { truncateUtf8 } from "../lib/truncate";
import { findLog } from "../logs/store";
import type { EngineDeps } from "./deps";
import { type RunRef, runColumns, runWhere, STATE, selectedRuns } from "./run-row";

/**
 * Async completion (docs/API-NOTES.md "Async completion"). A job with `completion.mode: callback` sends each attempt
 * an `X-Edgecron-Completion-Url` holding a random 128-bit token; the run row keeps only its SHA-256. A 2xx answer
 * parks the run as `awaiting` (no lease, no Worker waiting) until a POST to that URL or its deadline records the
 * outcome through closeAttempt, the one recording path. The log's existence is the recording's condition
 * (src/engine/record.ts), so a POST and the deadline tick racing record exactly one outcome.
 */

export const COMPLETION_URL_HEADER = "X-Edgecron-Completion-Url";

/** What an armed attempt sends and keeps: the URL for the request header. */
export interface ArmedCompletion {
  url: string;
  startedAt: number;
  deadlineAt: number;
}

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");

/** The stored form of a token: SHA-256, base64url. */
export async function hashCompletionToken(token: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token))));
}

/** A token is 16 random bytes, base64url: 22 characters. */
export const COMPLETION_TOKEN = /^[A-Za-z0-9_-]{22}$/;

/** The completion URL of one execution (README "Async completion"). */
export function completionUrl(origin: string, run: RunRow, token: string): string {
  return `${origin.replace(/\/+$/, "")}/v1/cron-jobs/${run.accountId}/complete/${run.jobId}/${run.id}/${token}`;
}

/**
 * Before a completion-mode attempt's request: a fresh token's hash, the start and the deadline on the leased row
 * (only while this lease holds it), so a POST arriving before the 2xx answer already finds its run. Null for a job
 * whose answer is its outcome.
 */
export async function armCompletion(
  deps: EngineDeps,
  job: CronJobRow,
  run: RunRow,
  startedAt: number,
): Promise<ArmedCompletion | null> {
  if (job.completionMode !== "callback" || job.completionTimeoutSeconds === null) return null;
  const token = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const deadlineAt = startedAt + job.completionTimeoutSeconds * 1000;
  await deps.db
    .update(runs)
    .set({ completionHash: await hashCompletionToken(token), startedAt, deadlineAt })
    .where(and(runWhere(run), eq(runs.state, STATE.running), eq(runs.leases, run.leases)));
  return { url: completionUrl(deps.cfg.PUBLIC_ORIGIN, run, token), startedAt, deadlineAt };
}

/**
 * A 2xx answer: the run becomes `awaiting`, its lease released, only while this lease still holds it (a POST that
 * came first has recorded it already). True when parked.
 */
export async function parkAwaiting(deps: EngineDeps, run: RunRow): Promise<boolean> {
  const parked = await deps.db
    .update(runs)
    .set({ state: STATE.awaiting, leaseUntil: null })
    .where(and(runWhere(run), eq(runs.state, STATE.running), eq(runs.leases, run.leases)))
    .returning({ slot: runs.slot });
  return parked.length === 1;
}

/** The deadline's outcome: `timeout`, lasting from the start to the deadline. */
export function deadlineResult(startedAt: number, deadlineAt: number): ExecutionResult {
  return {
    status: "timeout",
    responseCode: null,
    responseBody: null,
    errorMessage: `No completion within ${Math.round((deadlineAt - startedAt) / 1000)} seconds`,
    responseTimeMs: deadlineAt - startedAt,
    retryAfterSeconds: null,
  };
}

/** A completion POST's body, as the route validated it. */
export interface CompletionReport {
  status: "success" | "failure";
  message?: string | undefined;
  body?: string | undefined;
}

/** The outcome a report records: body kept within the log cap; a failure's message is its error. */
export function reportResult(report: CompletionReport, responseTimeMs: number): ExecutionResult {
  return {
    status: report.status,
    responseCode: null,
    responseBody: report.body === undefined ? null : truncateUtf8(report.body),
    errorMessage: report.status === "failure" ? (report.message ?? "Failure reported to the completion URL") : null,
    responseTimeMs,
    retryAfterSeconds: null,
  };
}

/** Whether a recorded log is what this report records (a repeat of the POST that won). */
export function sameOutcome(
  log: Pick<ExecutionLogRow, "status" | "responseBody" | "errorMessage">,
  r: ExecutionResult,
) {
  return log.status === r.status && log.responseBody === r.responseBody && log.errorMessage === r.errorMessage;
}

/** A run with its completion columns. */
interface CompletionRun {
  run: RunRow;
  hash: string | null;
  startedAt: number | null;
  deadlineAt: number | null;
}

const completionColumns = {
  ...runColumns,
  completionHash: runs.completionHash,
  startedAt: runs.startedAt,
  deadlineAt: runs.deadlineAt,
};

type CompletionRow = Parameters<typeof selectedRuns>[0][number] & {
  completionHash: string | null;
  startedAt: number | null;
  deadlineAt: number | null;
};

/** Rows as runs with their completion columns; a purged job's row has no run to act on. */
function withCompletion(rows: CompletionRow[]): CompletionRun[] {
  return rows.flatMap((r) => {
    const [run] = selectedRuns([r]);
    return run ? [{ run, hash: r.completionHash, startedAt: r.startedAt, deadlineAt: r.deadlineAt }] : [];
  });
}

async function findCompletionRun(deps: EngineDeps, ref: RunRef): Promise<CompletionRun | undefined> {
  const rows = await deps.db.select(completionColumns).from(runs).where(runWhere(ref)).limit(1);
  return withCompletion(rows)[0];
}

export type CompletionAnswer =
  | { kind: "recorded"; log: ExecutionLogRow }
  | { kind: "conflict"; log: ExecutionLogRow | null }
  | { kind: "not_found" };

/**
 * A POST to a completion URL: 404 unless the token's hash is the run's; then the first report before the deadline
 * records the outcome, a repeat of it is answered with it, anything else is a conflict. A report after the deadline
 * records the timeout itself (as the tick would) and is a conflict.
 */
export async function completeRun(
  deps: EngineDeps,
  ref: RunRef & { accountId: string },
  token: string,
  report: CompletionReport,
  close: (job: CronJobRow, run: RunRow, startedAt: number, result: ExecutionResult) => Promise<unknown>,
): Promise<CompletionAnswer> {
  const found = await findCompletionRun(deps, ref);
  if (!found || found.run.accountId !== ref.accountId || found.hash === null) return { kind: "not_found" };
  if (found.hash !== (await hashCompletionToken(token))) return { kind: "not_found" };
  const { run, startedAt, deadlineAt } = found;
  if (startedAt === null || deadlineAt === null) return { kind: "not_found" };
  const now = deps.now();
  const result = reportResult(report, now - startedAt);
  if (run.state === "awaiting" || run.state === "running") {
    const job = await findJobIncludingDeleted(deps.db, run.jobId);
    if (!job) return { kind: "not_found" };
    await close(job, run, startedAt, now < deadlineAt ? result : deadlineResult(startedAt, deadlineAt));
  }
  const log = await findLog(deps.db, run.id);
  if (log && sameOutcome(log, result)) return { kind: "recorded", log };
  return { kind: "conflict", log: log ?? null };
}

/** Runs past their deadline per page; each costs a job read, the alert plan's reads and the recording batch. */
export const DEADLINE_PAGE = 25;
/** Queries one expiring run may cost (job, alert plan, recording, sends), for the budget. */
const QUERIES_PER_RUN = 5;
/** The deadline check's own share of the tick's 1,000 D1 queries per invocation. */
export const DEADLINE_QUERY_BUDGET = 150;

export interface DeadlineReport {
  expired: number;
  /** False when the budget ran out with runs left: the next minute's tick continues. */
  complete: boolean;
}

/**
 * The tick's deadline check: awaiting runs past their deadline (runs_awaiting_deadline_idx, oldest first, a page at
 * a time) are recorded as `timeout` through `close`; overlapping ticks record each once (the log is the condition).
 */
export async function expireAwaitingRuns(
  deps: EngineDeps,
  now: number,
  close: (job: CronJobRow, run: RunRow, startedAt: number, result: ExecutionResult) => Promise<unknown>,
  opts: { queryBudget?: number; pageSize?: number } = {},
): Promise<DeadlineReport> {
  const budget = opts.queryBudget ?? DEADLINE_QUERY_BUDGET;
  const pageSize = opts.pageSize ?? DEADLINE_PAGE;
  let spent = 0;
  let expired = 0;
  // Past runs the next page starts after: a run this check could not record (job purged) is not read again.
  let after = Number.MIN_SAFE_INTEGER;
  while (spent + 1 + QUERIES_PER_RUN <= budget) {
    const limit = Math.min(pageSize, Math.floor((budget - spent - 1) / QUERIES_PER_RUN));
    const rows = await deps.db
      .select(completionColumns)
      .from(runs)
      // Spelt as the partial index's own condition, so the planner uses it.
      .where(and(sql`${runs.state} = 2`, lte(runs.deadlineAt, now), sql`${runs.deadlineAt} >= ${after}`))
      .orderBy(asc(runs.deadlineAt))
      .limit(limit);
    spent += 1;
    const page = withCompletion(rows);
    for (const { run, startedAt, deadlineAt } of page) {
      spent += QUERIES_PER_RUN;
      if (startedAt === null || deadlineAt === null) continue;
      const job = await findJobIncludingDeleted(deps.db, run.jobId);
      if (!job) continue;
      await close(job, run, startedAt, deadlineResult(startedAt, deadlineAt));
      expired += 1;
    }
    if (rows.length < limit) return { expired, complete: true };
    const last = rows.at(-1)?.deadlineAt;
    if (last === null || last === undefined || last === after) after += 1;
    else after = last;
  }
  return { expired, complete: false };
}

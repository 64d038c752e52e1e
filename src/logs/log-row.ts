import { sql } from "drizzle-orm";
import {
  type DecidedBy,
  decidedByRules,
  type ExecutionLogRow,
  type ExecutionStatus,
  executionStatuses,
  logBodies,
  logs,
  type RunTrigger,
} from "../db/schema";
import { decodeText } from "../lib/codec";
import { idOfLogKey } from "./log-key";

/**
 * The compact log row (`logs`) ↔ the API's ExecutionLogRow. Status and decided_by are list indexes; trigger and
 * scheduled_at are one `kind` (a schedule run's scheduled_at is its slot, already in the execution id):
 *
 * | kind | trigger  | scheduled_at | written by                                        |
 * |------|----------|--------------|---------------------------------------------------|
 * | 0    | schedule | slot         | a schedule run's first attempt                    |
 * | 1    | retry    | slot         | a retry of a schedule run                         |
 * | 2    | manual   | null         | POST /trigger's first attempt                     |
 * | 3    | retry    | null         | a retry of a manual run; legacy rows              |
 * | 4    | schedule | null         | legacy rows only (no run ledger, migration 0016)  |
 * | 5    | replay   | null         | POST …/replay's first attempt (retries: kind 3)   |
 */
export const statusNumber = (s: ExecutionStatus): number => executionStatuses.indexOf(s);
export const statusOf = (n: number): ExecutionStatus => executionStatuses[n] ?? "timeout";
export const decidedByNumber = (d: DecidedBy | null | undefined): number | null =>
  d == null ? null : decidedByRules.indexOf(d);

const KIND_TRIGGER: readonly RunTrigger[] = ["schedule", "retry", "manual", "retry", "schedule", "replay"];

/** The kind of a log from its trigger and whether it belongs to a schedule slot. */
export function kindOf(trigger: RunTrigger, scheduled: boolean): number {
  if (trigger === "manual") return 2;
  if (trigger === "replay") return 5;
  if (trigger === "retry") return scheduled ? 1 : 3;
  return scheduled ? 0 : 4;
}

/** A log query's columns: the stored ones, the text from log_bodies (withText), the job id per returned row. */
export const logColumns = {
  slot: logs.slot,
  idHi: logs.idHi,
  idLo: logs.idLo,
  executedAt: logs.executedAt,
  status: logs.status,
  kind: logs.kind,
  responseCode: logs.responseCode,
  responseTimeMs: logs.responseTimeMs,
  retryAttempt: logs.retryAttempt,
  decidedBy: logs.decidedBy,
  body: logs.body,
  // Aliased: logs and log_bodies share column names and D1 keys a batch's rows by name. Legacy text is inline.
  inlineBody: sql<string | null>`${logs.responseBody}`.as("inline_body"),
  inlineError: sql<string | null>`${logs.errorMessage}`.as("inline_error"),
  inlineHeaders: sql<string | null>`${logs.responseHeaders}`.as("inline_headers"),
  storedBody: sql`${logBodies.responseBody}`.mapWith(logBodies.responseBody).as("stored_body"),
  storedError: sql`${logBodies.errorMessage}`.mapWith(logBodies.errorMessage).as("stored_error"),
  storedHeaders: sql`${logBodies.responseHeaders}`.mapWith(logBodies.responseHeaders).as("stored_headers"),
  // Spelt out qualified: drizzle renders columns of a single-table select unqualified, and `job` must be the log's.
  cronJobId: sql<string>`(SELECT "cron_jobs"."id" FROM "cron_jobs" WHERE "cron_jobs"."num" = "logs"."job")`,
};

export interface SelectedLog {
  slot: number;
  idHi: number;
  idLo: number;
  executedAt: number;
  status: number;
  kind: number;
  responseCode: number | null;
  responseTimeMs: number | null;
  retryAttempt: number;
  decidedBy: number | null;
  body: number | null;
  inlineBody: string | null;
  inlineError: string | null;
  inlineHeaders: string | null;
  storedBody: Uint8Array | null;
  storedError: Uint8Array | null;
  storedHeaders: Uint8Array | null;
  cronJobId: string;
}

/** The log's text: from log_bodies (decoded), or inline for a row the store migration has not moved yet. */
function textOf(r: SelectedLog) {
  if (r.body === null) return { body: r.inlineBody, error: r.inlineError, headers: r.inlineHeaders };
  return { body: decodeText(r.storedBody), error: decodeText(r.storedError), headers: decodeText(r.storedHeaders) };
}

/** A selected row as the API's log; `accountId` is the scope's (every row a query returns belongs to it). */
export function toExecutionLogRow(r: SelectedLog, accountId: string): ExecutionLogRow {
  const text = textOf(r);
  return {
    id: idOfLogKey({ slot: r.slot, hi: r.idHi, lo: r.idLo }),
    cronJobId: r.cronJobId,
    accountId,
    executedAt: r.executedAt,
    status: statusOf(r.status),
    responseCode: r.responseCode,
    responseBody: text.body,
    errorMessage: text.error,
    responseTimeMs: r.responseTimeMs,
    retryAttempt: r.retryAttempt,
    scheduledAt: r.kind === 0 || r.kind === 1 ? r.slot : null,
    trigger: KIND_TRIGGER[r.kind] ?? "schedule",
    responseHeaders: text.headers,
    decidedBy: r.decidedBy === null ? null : (decidedByRules[r.decidedBy] ?? null),
  };
}

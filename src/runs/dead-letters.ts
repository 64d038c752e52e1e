import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { accountNumber } from "../db/numbers";
import {
  cronJobs,
  type ExecutionLogRow,
  logBodies,
  logs,
  type RunReason,
  runReasons,
  runStates,
  runs,
} from "../db/schema";
import { executionIdParts } from "../lib/execution-id";
import { logText } from "../logs/late-lookup";
import { logColumns, toExecutionLogRow } from "../logs/log-row";

/** `dead` as stored (runs.state), spelt as runs_account_dead_idx's own condition so the planner uses that index. */
const DEAD = runStates.indexOf("dead");

/** A dead run (closed without an outcome) with its log, which says when and why. */
export interface DeadLetter {
  log: ExecutionLogRow;
  reason: RunReason | null;
  attempt: number;
  replayOf: string | null;
}

/**
 * One page of the account's dead letters newest first (by execution id, whose first part is the slot) after
 * `after`: a key range of runs_account_dead_idx, which holds only dead rows; each row's job (live only) and log
 * by primary key. Unexecuted, so its plan can be checked (test/runs/dead-letters.test.ts).
 */
export function deadLettersQuery(db: Db, accountId: string, after: string | null, limit: number) {
  const k = after === null ? null : executionIdParts(after);
  return db
    .select({ ...logColumns, attempt: runs.attempt, reason: runs.reason, replayOf: runs.replayOf })
    .from(runs)
    .innerJoin(cronJobs, eq(cronJobs.num, runs.job))
    .innerJoin(logs, and(eq(logs.slot, runs.slot), eq(logs.idHi, runs.idHi), eq(logs.idLo, runs.idLo)))
    .leftJoin(logBodies, logText())
    .where(
      and(
        eq(runs.account, accountNumber(accountId)),
        sql`${runs.state} = ${sql.raw(String(DEAD))}`,
        isNull(cronJobs.deletedAt),
        k ? sql`(${runs.slot}, ${runs.idHi}, ${runs.idLo}) < (${k.slot}, ${k.hi}, ${k.lo})` : undefined,
      ),
    )
    .orderBy(desc(runs.slot), desc(runs.idHi), desc(runs.idLo))
    .limit(limit);
}

/** A page of dead letters and whether more follow (one extra row is read to know). */
export async function listDeadLetters(
  db: Db,
  accountId: string,
  after: string | null,
  limit: number,
): Promise<{ rows: DeadLetter[]; more: boolean }> {
  const rows = await deadLettersQuery(db, accountId, after, limit + 1);
  return {
    more: rows.length > limit,
    rows: rows.slice(0, limit).map((r) => ({
      log: toExecutionLogRow(r, accountId),
      reason: r.reason === null ? null : (runReasons[r.reason] ?? null),
      attempt: r.attempt,
      replayOf: r.replayOf,
    })),
  };
}

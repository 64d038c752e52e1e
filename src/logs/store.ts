import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { accounts, cronJobs, type ExecutionLogRow, logs } from "../db/schema";
import { type LogKey, logKeyOf } from "./log-key";
import { decidedByNumber, kindOf, logColumns, statusNumber, toExecutionLogRow } from "./log-row";

/** A log to write: the API's shape (src/db/schema.ts ExecutionLogRow); the id must have a key (log-key.ts). */
export type NewLog = Omit<ExecutionLogRow, "decidedBy"> & { decidedBy?: ExecutionLogRow["decidedBy"] };

function partsOf(id: string): LogKey {
  const parts = logKeyOf(id);
  if (!parts) throw new Error(`not a storable log id: ${id}`);
  return parts;
}

/** The job's shard-local number (cron_jobs.num) for its id, as a scalar subquery. */
export const jobNumber = (cronJobId: string): SQL =>
  sql`(SELECT ${cronJobs.num} FROM ${cronJobs} WHERE ${cronJobs.id} = ${cronJobId})`;

/** The account's shard-local number (accounts.num) for its id, as a scalar subquery. */
export const accountNumber = (accountId: string): SQL =>
  sql`(SELECT ${accounts.num} FROM ${accounts} WHERE ${accounts.id} = ${accountId})`;

/** "The log with this execution id exists": one primary-key probe (the id is the key, whatever the job). */
export function logExists(executionId: string): SQL {
  const p = partsOf(executionId);
  return sql`EXISTS (SELECT 1 FROM ${logs} WHERE ${logs.slot} = ${p.slot} AND ${logs.idHi} = ${p.hi} AND ${logs.idLo} = ${p.lo})`;
}

/**
 * The INSERT of one log, for a batch: the id split into its key, the job and account ids turned into their numbers
 * in the same statement (nothing is written if the job row is gone), and `ON CONFLICT DO NOTHING` on the id, so a
 * redelivered attempt writes nothing. D1 counts 4 rows written: the row, its two index entries and the trigger's
 * log_day_counts upsert (test/logs/compact-storage.test.ts).
 */
export function insertLogStatement(db: Db, log: NewLog) {
  const p = partsOf(log.id);
  const kind = kindOf(log.trigger, log.scheduledAt !== null);
  // Every column of `logs`, in the table's order (drizzle names them all in the INSERT).
  const values = sql.join(
    [
      sql`${p.slot}`,
      sql`${p.hi}`,
      sql`${p.lo}`,
      sql`${cronJobs.num}`,
      sql`${accounts.num}`,
      sql`${log.executedAt}`,
      sql`${statusNumber(log.status)}`,
      sql`${kind}`,
      sql`${log.responseCode}`,
      sql`${log.responseTimeMs}`,
      sql`${log.retryAttempt}`,
      sql`${decidedByNumber(log.decidedBy)}`,
      sql`${log.errorMessage}`,
      sql`${log.responseHeaders}`,
      sql`${log.responseBody}`,
    ],
    sql`, `,
  );
  return db
    .insert(logs)
    .select(
      sql`SELECT ${values} FROM ${cronJobs}, ${accounts} WHERE ${cronJobs.id} = ${log.cronJobId} AND ${accounts.id} = ${log.accountId}`,
    )
    .onConflictDoNothing();
}

/** The log of one attempt by its execution id (the primary key), if recorded yet. */
export async function findLog(db: Db, executionId: string): Promise<ExecutionLogRow | undefined> {
  const p = logKeyOf(executionId);
  if (!p) return undefined;
  const [row] = await db
    .select({
      ...logColumns,
      accountId: sql<string>`(SELECT "accounts"."id" FROM "accounts" WHERE "accounts"."num" = "logs"."account")`,
    })
    .from(logs)
    .where(and(eq(logs.slot, p.slot), eq(logs.idHi, p.hi), eq(logs.idLo, p.lo)))
    .limit(1);
  return row && toExecutionLogRow(row, row.accountId);
}

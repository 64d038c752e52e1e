import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { accounts, cronJobs, type ExecutionLogRow, logBodies, logs } from "../db/schema";
import { encodeText } from "../lib/codec";
import { logText } from "./late-lookup";
import { type LogKey, logKeyOf } from "./log-key";
import { decidedByNumber, kindOf, logColumns, statusNumber, toExecutionLogRow } from "./log-row";

/** A log to write: the API's shape (src/db/schema.ts ExecutionLogRow); the id must have a key (log-key.ts). */
export type NewLog = Omit<ExecutionLogRow, "decidedBy"> & { decidedBy?: ExecutionLogRow["decidedBy"] };

function partsOf(id: string): LogKey {
  const parts = logKeyOf(id);
  if (!parts) throw new Error(`not a storable log id: ${id}`);
  return parts;
}

/** "The log with this execution id exists": one primary-key probe (the id is the key, whatever the job). */
export function logExists(executionId: string): SQL {
  const p = partsOf(executionId);
  return sql`EXISTS (SELECT 1 FROM ${logs} WHERE ${logs.slot} = ${p.slot} AND ${logs.idHi} = ${p.hi} AND ${logs.idLo} = ${p.lo})`;
}

/** A log's variable part, as log_bodies stores it. */
export interface LogText {
  responseBody: string | null;
  errorMessage: string | null;
  responseHeaders: string | null;
}

/** A text column of log_bodies: the codec byte and the smaller of raw and compressed (src/lib/codec). */
const stored = (text: string | null) => (text === null ? null : encodeText(text));

/**
 * The INSERT of a log's text into log_bodies, only where `where` holds (none when it has no text), and how the
 * statement that follows it in the batch names that text: `last_insert_rowid()`, or 0 for none.
 */
export function textStatements(db: Db, t: LogText, where: SQL) {
  if (t.responseBody === null && t.errorMessage === null && t.responseHeaders === null) {
    return { statements: [], body: sql`0` };
  }
  const insert = db
    .insert(logBodies)
    .select(
      sql`SELECT NULL, ${stored(t.responseBody)}, ${stored(t.errorMessage)}, ${stored(t.responseHeaders)} ${where}`,
    );
  return { statements: [insert], body: sql`last_insert_rowid()` };
}

/**
 * The INSERTs of one log, for a batch, in this order: its text into log_bodies (when it has any), then the row,
 * which names the text by `last_insert_rowid()`. The id is split into its key and the job and account ids turned
 * into their numbers in the same statement; both are written only while the job exists and the log does not (a
 * redelivered attempt writes nothing). D1 counts 4 rows written for the row: the row, its two index entries and
 * the trigger's log_hours upsert (test/logs/compact-storage.test.ts), and one for its text.
 */
export function insertLogStatements(db: Db, log: NewLog) {
  const p = partsOf(log.id);
  const kind = kindOf(log.trigger, log.scheduledAt !== null);
  const owners = sql`FROM ${cronJobs}, ${accounts} WHERE ${cronJobs.id} = ${log.cronJobId} AND ${accounts.id} = ${log.accountId}`;
  const text = textStatements(db, log, sql`${owners} AND NOT ${logExists(log.id)}`);
  // Every column of `logs`, in the table's order (drizzle names them all in the INSERT); the legacy text is null.
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
      sql`NULL`,
      sql`NULL`,
      sql`NULL`,
      text.body,
    ],
    sql`, `,
  );
  const row = db.insert(logs).select(sql`SELECT ${values} ${owners}`).onConflictDoNothing();
  return [...text.statements, row] as const;
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
    .leftJoin(logBodies, logText())
    .where(and(eq(logs.slot, p.slot), eq(logs.idHi, p.hi), eq(logs.idLo, p.lo)))
    .limit(1);
  return row && toExecutionLogRow(row, row.accountId);
}

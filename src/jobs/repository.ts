import { and, count, desc, eq, getTableColumns, isNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { type CronJobRow, cronJobs } from "../db/schema";
import type { NewJobRow } from "./build";

/** A new job as stored: its secrets sealed (src/jobs/secrets.ts). */
export type SealedJobRow = NewJobRow & Pick<CronJobRow, "secrets">;

const live = (accountId: string, id: string) =>
  and(eq(cronJobs.id, id), eq(cronJobs.accountId, accountId), isNull(cronJobs.deletedAt));

/** A job holding an active-job slot: active, or paused until an instant (the tick resumes it without a check). */
export const holdsActiveSlot = (row: Pick<CronJobRow, "isActive" | "pausedUntil">): boolean =>
  row.isActive || row.pausedUntil !== null;

/** Not deleted jobs of the account holding an active-job slot: what the active-job limit counts. */
const activeCount = (accountId: string) =>
  sql`(SELECT count(*) FROM ${cronJobs} WHERE ${cronJobs.accountId} = ${accountId} AND (${cronJobs.isActive} = 1 OR ${cronJobs.pausedUntil} IS NOT NULL) AND ${cronJobs.deletedAt} IS NULL)`;

/** Live jobs of the account, paused, disabled and completed ones included: what the job limit counts. */
const jobCount = (accountId: string) =>
  sql`(SELECT count(*) FROM ${cronJobs} WHERE ${cronJobs.accountId} = ${accountId} AND ${cronJobs.deletedAt} IS NULL)`;

/** The per-account job limits (src/config.ts). */
export interface JobLimits {
  MAX_JOBS: number;
  MAX_ACTIVE_JOBS: number;
}

/**
 * Inserts the job unless the account already has MAX_JOBS jobs or, for an active job, MAX_ACTIVE_JOBS active ones.
 * One statement, so concurrent creates cannot overshoot a limit. Returns the limit that refused it, else null.
 */
export async function insertJobWithinLimits(
  db: Db,
  row: SealedJobRow,
  limits: JobLimits,
): Promise<keyof JobLimits | null> {
  const columns = getTableColumns(cronJobs);
  const keys = Object.keys(row) as Array<keyof SealedJobRow>;
  const names = sql.raw([...keys.map((k) => `"${columns[k].name}"`), `"${cronJobs.num.name}"`].join(", "));
  // The job's number (compact logs, migration 0016), given here rather than left to the numbering trigger: D1's
  // meta.changes counts a trigger's writes too, and the check below needs exactly this statement's row.
  const num = sql`(SELECT coalesce(max(${cronJobs.num}), 0) + 1 FROM ${cronJobs})`;
  const values = sql.join(
    [
      ...keys.map((k) => {
        const v = row[k];
        return sql`${typeof v === "boolean" ? Number(v) : v}`;
      }),
      num,
    ],
    sql`, `,
  );
  const active = holdsActiveSlot(row) ? sql` AND ${activeCount(row.accountId)} < ${limits.MAX_ACTIVE_JOBS}` : sql``;
  const guard = sql`WHERE ${jobCount(row.accountId)} < ${limits.MAX_JOBS}${active}`;
  const res = await db.run(sql`INSERT INTO ${cronJobs} (${names}) SELECT ${values} ${guard}`);
  if (res.meta.changes === 1) return null;
  const [total] = await db.all<{ n: number }>(sql`SELECT ${jobCount(row.accountId)} AS n`);
  return (total?.n ?? 0) >= limits.MAX_JOBS ? "MAX_JOBS" : "MAX_ACTIVE_JOBS";
}

export async function findJob(db: Db, accountId: string, id: string): Promise<CronJobRow | undefined> {
  const [row] = await db.select().from(cronJobs).where(live(accountId, id)).limit(1);
  return row;
}

export type UpdateOutcome = { ok: true; row: CronJobRow } | { ok: false; reason: "not-found" | "limit" };

/**
 * Applies an update to a live job. Activating a paused job (or giving it a paused_until) is refused, in the same
 * statement, when the account is at its active-job limit.
 */
export async function updateJob(
  db: Db,
  accountId: string,
  id: string,
  set: Partial<CronJobRow>,
  activating: boolean,
  limit: number,
): Promise<UpdateOutcome> {
  const conds: SQL[] = [live(accountId, id) as SQL];
  if (activating) {
    conds.push(
      sql`(${cronJobs.isActive} = 1 OR ${cronJobs.pausedUntil} IS NOT NULL OR ${activeCount(accountId)} < ${limit})`,
    );
  }
  const rows = await db
    .update(cronJobs)
    .set(set)
    .where(and(...conds))
    .returning();
  if (rows[0]) return { ok: true, row: rows[0] };
  return { ok: false, reason: (await findJob(db, accountId, id)) ? "limit" : "not-found" };
}

/** Soft delete: the job and its logs stop being reachable now; the retention sweep removes the rows. */
export async function softDeleteJob(db: Db, accountId: string, id: string, now: number): Promise<boolean> {
  const rows = await db
    .update(cronJobs)
    .set({ deletedAt: now, isActive: false, nextRunAt: null, updatedAt: now })
    .where(live(accountId, id))
    .returning({ id: cronJobs.id });
  return rows.length === 1;
}

export interface ListJobsFilter {
  accountId: string;
  page: number;
  limit: number;
  isActive?: boolean;
  tags?: string[];
  search?: string;
}

/** A page of jobs, newest first, and the total, in one round trip. */
export async function listJobs(db: Db, f: ListJobsFilter): Promise<{ rows: CronJobRow[]; total: number }> {
  const conds: SQL[] = [eq(cronJobs.accountId, f.accountId), isNull(cronJobs.deletedAt)];
  if (f.isActive !== undefined) conds.push(eq(cronJobs.isActive, f.isActive));
  if (f.tags && f.tags.length > 0) {
    const list = sql.join(
      f.tags.map((t) => sql`${t}`),
      sql`, `,
    );
    conds.push(sql`EXISTS (SELECT 1 FROM json_each(${cronJobs.tags}) WHERE json_each.value IN (${list}))`);
  }
  if (f.search) conds.push(sql`instr(lower(${cronJobs.name}), lower(${f.search})) > 0`);
  const where = and(...conds);
  const [rows, total] = await db.batch([
    db
      .select()
      .from(cronJobs)
      .where(where)
      .orderBy(desc(cronJobs.createdAt), desc(cronJobs.id))
      .limit(f.limit)
      .offset((f.page - 1) * f.limit),
    db.select({ n: count() }).from(cronJobs).where(where),
  ]);
  return { rows, total: total[0]?.n ?? 0 };
}

/** A job by id alone, for the engine (which has no account in hand); deleted jobs are not returned. */
export async function findLiveJob(db: Db, id: string): Promise<CronJobRow | undefined> {
  const [row] = await db
    .select()
    .from(cronJobs)
    .where(and(eq(cronJobs.id, id), isNull(cronJobs.deletedAt)))
    .limit(1);
  return row;
}

/** A job by id even if deleted: the engine closes a run of a deleted job that may already have called its target. */
export async function findJobIncludingDeleted(db: Db, id: string): Promise<CronJobRow | undefined> {
  const [row] = await db.select().from(cronJobs).where(eq(cronJobs.id, id)).limit(1);
  return row;
}

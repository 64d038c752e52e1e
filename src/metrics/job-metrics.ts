import { and, asc, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { type CronJobRow, cronJobs, type ExecutionStatus, executionStatuses, jobStates } from "../db/schema";
import type { Family, Labels, Sample } from "./exposition";
import { LATENCY_HOURS, latencyCache, latencyReads, type Percentiles } from "./latency";
import { markScraped, scrapedHourQuery } from "./windows";

/** The bench's first scrape starts with a new cache. */
export { newLatencyCache } from "./latency";

/** Skip reasons a live job can count, each with its never-swept counter on the job row. */
export const SKIP_REASONS = ["overlap", "paused", "missed", "calendar", "maintenance"] as const;

const jobColumns = {
  id: cronJobs.id,
  num: cronJobs.num,
  name: cronJobs.name,
  tags: cronJobs.tags,
  state: cronJobs.state,
  nextRunAt: cronJobs.nextRunAt,
  lastRunAt: cronJobs.lastRunAt,
  lastRunStatus: cronJobs.lastRunStatus,
  consecutiveFailures: cronJobs.consecutiveFailures,
  successfulExecutions: cronJobs.successfulExecutions,
  failedExecutions: cronJobs.failedExecutions,
  errorExecutions: cronJobs.errorExecutions,
  timeoutExecutions: cronJobs.timeoutExecutions,
  skippedRuns: cronJobs.skippedRuns,
  skippedPaused: cronJobs.skippedPaused,
  skippedMissed: cronJobs.skippedMissed,
  skippedCalendar: cronJobs.skippedCalendar,
  skippedMaintenance: cronJobs.skippedMaintenance,
};

type JobMetricsRow = Pick<CronJobRow, keyof typeof jobColumns>;

/** The account's live jobs, oldest first (cron_jobs_account_created_idx). */
function jobsQuery(db: Db, accountId: string) {
  return db
    .select(jobColumns)
    .from(cronJobs)
    .where(and(eq(cronJobs.accountId, accountId), isNull(cronJobs.deletedAt)))
    .orderBy(asc(cronJobs.createdAt), asc(cronJobs.id));
}

const seconds = (ms: number) => ms / 1000;

function tagsLabel(tagsJson: string): string {
  try {
    const tags = JSON.parse(tagsJson) as unknown;
    return Array.isArray(tags) ? tags.filter((t) => typeof t === "string").join(",") : "";
  } catch {
    return "";
  }
}

/** `up` follows Healthchecks' hc_check_up: 0 while failing (latest final outcome failed) or disabled, else 1. */
function up(job: JobMetricsRow): number {
  return job.state === "disabled" || job.consecutiveFailures > 0 ? 0 : 1;
}

function runsByStatus(job: JobMetricsRow): Record<ExecutionStatus, number> {
  return {
    success: job.successfulExecutions,
    // failed_executions counts every non-success; errors and timeouts have their own counters.
    failure: Math.max(0, job.failedExecutions - job.errorExecutions - job.timeoutExecutions),
    error: job.errorExecutions,
    timeout: job.timeoutExecutions,
  };
}

function skipsByReason(job: JobMetricsRow): Record<(typeof SKIP_REASONS)[number], number> {
  return {
    overlap: job.skippedRuns,
    paused: job.skippedPaused,
    missed: job.skippedMissed,
    calendar: job.skippedCalendar,
    maintenance: job.skippedMaintenance,
  };
}

/** The metric families of the given jobs and their latency rows (exposition.ts renders them). */
export function jobFamilies(jobs: readonly JobMetricsRow[], latency: ReadonlyMap<number, Percentiles>): Family[] {
  const fam = (name: string, type: Family["type"], help: string, unit?: string): Family => ({
    name,
    type,
    help,
    unit,
    samples: [],
  });
  const f = {
    up: fam(
      "edgecron_job_up",
      "gauge",
      "1 unless the job's latest final outcome failed or the alert policy disabled it",
    ),
    state: fam("edgecron_job_state", "stateset", "The job's state: active, paused, completed or disabled"),
    lastRun: fam(
      "edgecron_job_last_run_timestamp_seconds",
      "gauge",
      "When the job's latest final outcome was recorded (Unix time); absent before its first run",
      "seconds",
    ),
    lastStatus: fam(
      "edgecron_job_last_status",
      "stateset",
      "The status of the job's latest final outcome; absent before its first run",
    ),
    failures: fam("edgecron_job_consecutive_failures", "gauge", "Failed final outcomes in a row, 0 after a success"),
    runs: fam("edgecron_job_runs", "counter", "Attempts recorded, by status (success, failure, error, timeout)"),
    skipped: fam(
      "edgecron_job_skipped",
      "counter",
      "Schedule slots skipped, by reason (overlap, paused, missed, calendar, maintenance)",
    ),
    nextRun: fam(
      "edgecron_job_next_run_timestamp_seconds",
      "gauge",
      "When the job's next slot is due (Unix time); absent unless the job is active and has one",
      "seconds",
    ),
    latency: fam(
      "edgecron_job_response_time_seconds",
      "gauge",
      `Nearest-rank percentiles (quantile 0.5, 0.95, 0.99; within 1 %) of successful runs' response times over the current UTC hour and the ${LATENCY_HOURS} before it; absent without such runs`,
      "seconds",
    ),
  };
  const add = (family: Family, labels: Labels, value: number, extra?: readonly [string, string]) => {
    const sample: Sample = extra ? { labels, extra, value } : { labels, value };
    family.samples.push(sample);
  };
  for (const job of jobs) {
    const labels: Labels = [
      ["job_id", job.id],
      ["job_name", job.name],
      ["tags", tagsLabel(job.tags)],
    ];
    add(f.up, labels, up(job));
    for (const s of jobStates) add(f.state, labels, job.state === s ? 1 : 0, ["edgecron_job_state", s]);
    if (job.lastRunAt !== null) add(f.lastRun, labels, seconds(job.lastRunAt));
    if (job.lastRunStatus !== null) {
      for (const s of executionStatuses) {
        add(f.lastStatus, labels, job.lastRunStatus === s ? 1 : 0, ["edgecron_job_last_status", s]);
      }
    }
    add(f.failures, labels, job.consecutiveFailures);
    for (const [status, n] of Object.entries(runsByStatus(job))) add(f.runs, labels, n, ["status", status]);
    for (const [reason, n] of Object.entries(skipsByReason(job))) add(f.skipped, labels, n, ["reason", reason]);
    if (job.state === "active" && job.nextRunAt !== null) add(f.nextRun, labels, seconds(job.nextRunAt));
    const p = job.num === null ? undefined : latency.get(job.num);
    if (p) {
      for (const [q, v] of [
        ["0.5", p.p50],
        ["0.95", p.p95],
        ["0.99", p.p99],
      ] as const) {
        if (v !== null) add(f.latency, labels, seconds(v), ["quantile", q]);
      }
    }
  }
  return Object.values(f);
}

/**
 * Marks the account scraped this hour, so the tick keeps its windows. A failed mark costs a later scrape a merge,
 * not a wrong figure: it is logged and the scrape answers.
 */
async function noteScrape(db: Db, accountId: string, now: number, seen: number | null | undefined): Promise<void> {
  const mark = markScraped(db, accountId, now, seen);
  if (!mark) return;
  try {
    await mark;
  } catch (err) {
    console.warn(JSON.stringify({ event: "metrics_scrape_not_marked", account_id: accountId, error: String(err) }));
  }
}

/**
 * The account's job metrics in one D1 round trip: the jobs, their latencies of the current and previous hours, and
 * those of the closed hours for the jobs the cache lacks (src/metrics/latency.ts).
 */
export async function accountJobFamilies(
  db: Db,
  accountId: string,
  now: number,
  cache = latencyCache,
  ttlMs?: number,
): Promise<Family[]> {
  const reads = latencyReads(db, accountId, now, cache, ttlMs);
  const [jobs, open, closed, rolled, [scraped]] = await db.batch([
    jobsQuery(db, accountId),
    reads.openQuery,
    reads.closedQuery,
    reads.rolledQuery,
    scrapedHourQuery(db, accountId),
  ]);
  const families = jobFamilies(jobs, reads.percentilesByJob(jobs, open, closed, rolled));
  await noteScrape(db, accountId, now, scraped?.hour);
  return families;
}

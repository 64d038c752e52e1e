import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** All timestamps are integer epoch milliseconds (UTC). */

export const accounts = sqliteTable("accounts", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** HMAC key for signed callbacks; shown to the operator by the CLI. */
  signingSecret: text("signing_secret").notNull(),
  createdAt: integer("created_at").notNull(),
});

export const apiKeys = sqliteTable(
  "api_keys",
  {
    /** Public key id, sent as `X-API-Key`. */
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    /** Hex SHA-256 of the secret sent as `X-API-Secret`; the secret itself is never stored. */
    secretHash: text("secret_hash").notNull(),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("api_keys_account_idx").on(t.accountId)],
);

export const cronJobs = sqliteTable(
  "cron_jobs",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    name: text("name").notNull(),
    description: text("description"),
    endpointUrl: text("endpoint_url").notNull(),
    method: text("method").notNull(),
    /** JSON object of request headers. */
    headers: text("headers").notNull().default("{}"),
    body: text("body"),
    timezone: text("timezone").notNull(),
    /** The 5-field cron string derived from schedule_config. */
    schedule: text("schedule").notNull(),
    /** JSON of the schedule_config as the client gave it. */
    scheduleConfig: text("schedule_config").notNull(),
    /** Start of the repeat_every period count (creation or last schedule change). */
    scheduleAnchorAt: integer("schedule_anchor_at").notNull(),
    isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
    timeoutSeconds: integer("timeout_seconds").notNull().default(30),
    maxRetries: integer("max_retries").notNull().default(3),
    retryDelaySeconds: integer("retry_delay_seconds").notNull().default(60),
    /** JSON of retry_config / callbacks as given (extensions such as backoff, notify live here). */
    retryConfig: text("retry_config").notNull().default("{}"),
    callbacks: text("callbacks").notNull().default("{}"),
    successCallbackUrl: text("success_callback_url"),
    failureCallbackUrl: text("failure_callback_url"),
    /** JSON array of tags. */
    tags: text("tags").notNull().default("[]"),
    nextRunAt: integer("next_run_at"),
    lastRunAt: integer("last_run_at"),
    lastRunStatus: text("last_run_status"),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    /** Scheduled runs so far, for end_type "after". */
    occurrences: integer("occurrences").notNull().default(0),
    totalExecutions: integer("total_executions").notNull().default(0),
    successfulExecutions: integer("successful_executions").notNull().default(0),
    failedExecutions: integer("failed_executions").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    /** Soft delete: the row and its logs become unreachable at once; the sweep removes them later. */
    deletedAt: integer("deleted_at"),
  },
  (t) => [
    index("cron_jobs_account_created_idx").on(t.accountId, t.createdAt),
    // Only live, active jobs are ever due: a partial index keeps the tick's scan tiny.
    index("cron_jobs_due_idx").on(t.nextRunAt).where(sql`${t.isActive} = 1 AND ${t.deletedAt} IS NULL`),
    index("cron_jobs_deleted_idx").on(t.deletedAt).where(sql`${t.deletedAt} IS NOT NULL`),
  ],
);

export const executionStatuses = ["success", "failure", "error", "timeout"] as const;
export type ExecutionStatus = (typeof executionStatuses)[number];

export const executionLogs = sqliteTable(
  "execution_logs",
  {
    /** `exe_` + time-sortable id derived from (job, slot, attempt): idempotent inserts. */
    id: text("id").primaryKey(),
    cronJobId: text("cron_job_id").notNull(),
    accountId: text("account_id").notNull(),
    executedAt: integer("executed_at").notNull(),
    status: text("status", { enum: executionStatuses }).notNull(),
    responseCode: integer("response_code"),
    responseBody: text("response_body"),
    errorMessage: text("error_message"),
    responseTimeMs: integer("response_time_ms"),
    retryAttempt: integer("retry_attempt").notNull().default(0),
  },
  (t) => [
    // The logs page, its count and date ranges, newest first.
    index("execution_logs_job_time_idx").on(t.cronJobId, t.executedAt, t.id),
    // The same with a status filter.
    index("execution_logs_job_status_time_idx").on(t.cronJobId, t.status, t.executedAt, t.id),
    // Account-wide logs, newest first; cron_job_id last so the live-job check (and the count) never
    // reads the table.
    index("execution_logs_account_time_idx").on(t.accountId, t.executedAt, t.id, t.cronJobId),
    // The same with a status filter.
    index("execution_logs_account_status_time_idx").on(t.accountId, t.status, t.executedAt, t.id, t.cronJobId),
    // The retention sweep.
    index("execution_logs_time_idx").on(t.executedAt),
  ],
);

/**
 * Log counts per job, UTC day and status, so a logs page's total never walks the index: full days are summed
 * here and only the partial edge days of a range are counted from execution_logs. An insert trigger (migration
 * 0003) adds every new log in the same statement, whoever writes; the retention sweep, the only path that
 * deletes logs, subtracts each chunk in the chunk's own batch (src/retention/sweep.ts, migration 0004).
 */
export const logCounts = sqliteTable(
  "log_counts",
  {
    cronJobId: text("cron_job_id").notNull(),
    accountId: text("account_id").notNull(),
    /** floor(executed_at / 86,400,000): the UTC day number. */
    day: integer("day").notNull(),
    status: text("status", { enum: executionStatuses }).notNull(),
    n: integer("n").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.cronJobId, t.day, t.status] }),
    index("log_counts_account_day_idx").on(t.accountId, t.day),
  ],
);

export type AccountRow = typeof accounts.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type CronJobRow = typeof cronJobs.$inferSelect;
export type ExecutionLogRow = typeof executionLogs.$inferSelect;

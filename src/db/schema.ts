import { sql } from "drizzle-orm";
import { customType, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * The shard schema: an account's jobs, run ledger, logs, counts, idempotency keys and signing secrets. Each SHARD_n
 * holds it for the accounts the directory assigns; the control plane is src/db/control-schema.ts. `accounts` here
 * is the shard's own record (signing secret, jobs' foreign key). Timestamps are epoch ms (UTC).
 */

export const jobStates = ["active", "paused", "completed", "disabled"] as const;
export type JobState = (typeof jobStates)[number];

export const overlapPolicies = ["allow", "skip", "queue"] as const;
export type OverlapPolicy = (typeof overlapPolicies)[number];
/** What a claim does with slots whose ticks were missed (src/engine/catchup.ts). */
export const catchupPolicies = ["latest", "none"] as const;
export type CatchupPolicy = (typeof catchupPolicies)[number];

/** `callback`: a 2xx answer parks the run as `awaiting` until a POST to its completion URL (src/engine/completion.ts). */
export const completionModes = ["callback"] as const;
export type CompletionMode = (typeof completionModes)[number];

export const runOrigins = ["schedule", "manual"] as const;
export type RunOrigin = (typeof runOrigins)[number];
/** `replay`: POST …/replay's new run of an earlier execution (src/runs/replay.routes.ts). */
export const runTriggers = ["schedule", "retry", "manual", "replay"] as const;
export type RunTrigger = (typeof runTriggers)[number];
/**
 * A run's state and skip reason, stored as list indexes (src/engine/run-row.ts), so the lists are append-only:
 * never reorder or remove an entry. `queued` and `running` must stay 0 and 1: runs_job_unfinished_idx is
 * `state IN (0, 1)`. queued → running (leased) → done, or `skipped` with a reason; `awaiting` and `dead` are
 * reserved for later states.
 */
export const runStates = ["queued", "running", "awaiting", "done", "skipped", "dead"] as const;
export type RunState = (typeof runStates)[number];
export const runReasons = [
  "overlap",
  "paused",
  "deleted",
  "missed",
  "calendar",
  "maintenance",
  "undelivered",
  "outcome_unknown",
] as const;
export type RunReason = (typeof runReasons)[number];

export const accounts = sqliteTable(
  "accounts",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** HMAC key for signed callbacks and requests; shown to the operator by the CLI. */
    signingSecret: text("signing_secret").notNull(),
    createdAt: integer("created_at").notNull(),
    /**
     * The account's shard-local number, stored by logs instead of the 36-character id. Assigned max + 1 by the
     * insert trigger (migration 0016), whoever inserts; never reused while the row lives.
     */
    num: integer("num").unique("accounts_num_unique"),
    /** Set while a move copies the account away: no slot is claimed, no run leased here (src/engine/fence.ts). */
    fencedAt: integer("fenced_at"),
    /**
     * The UTC hour of the account's last metrics scrape: while it is within a week, the tick keeps its jobs' latency
     * windows (src/metrics/windows.ts) current.
     */
    metricsScrapedHour: integer("metrics_scraped_hour"),
  },
  (t) => [
    index("accounts_metrics_scraped_idx").on(t.metricsScrapedHour).where(sql`${t.metricsScrapedHour} IS NOT NULL`),
  ],
);

/**
 * Secrets replaced by a rotation, still signing until `expires_at` so queued callbacks and slow receivers keep
 * verifying; src/signing/signing-secrets.ts reads them beside accounts.signing_secret.
 */
export const retiredSigningSecrets = sqliteTable(
  "retired_signing_secrets",
  {
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    secret: text("secret").notNull(),
    retiredAt: integer("retired_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.secret] })],
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
    /** A1Cron's `is_active`, always `state = 'active'` (src/jobs/state.ts); the due index and filters read it. */
    isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
    /**
     * `active | paused | completed | disabled` (src/jobs/state.ts): paused by the user, completed when the schedule
     * ended, disabled by the alert policy (auto_disable_after).
     */
    state: text("state", { enum: jobStates }).notNull().default("active"),
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
    /** JSON array of extra header names whose values are secret (src/lib/secrets/classify.ts names the rest). */
    secretHeaders: text("secret_headers").notNull().default("[]"),
    /** JSON array of query parameter names secret in endpoint_url and the callback URLs. */
    secretQueryParams: text("secret_query_params").notNull().default("[]"),
    /** Whether `body` is secret: stored sealed, shown as a redaction token. */
    bodyIsSecret: integer("body_is_secret", { mode: "boolean" }).notNull().default(false),
    /**
     * JSON of AES-GCM-sealed values (src/lib/secrets/seal.ts) by slot (`header:<name>`, `query:<field>:<param>`,
     * `body`, `channel:<i>`); plain columns hold tokens. NULL: values still in clear (`secrets:encrypt`
     * seals them).
     */
    secrets: text("secrets"),
    /** Whether requests to the endpoint carry X-Edgecron-Request-Signature (src/engine/request-identity.ts). */
    requestSignature: integer("request_signature", { mode: "boolean" }).notNull().default(true),
    /** Jitter window (s): each slot starts a deterministic offset in [0, jitter] after it (src/lib/jitter.ts). */
    jitterSeconds: integer("jitter_seconds").notNull().default(0),
    /** `allow | skip | queue`: what a slot does while the job's previous run is unfinished (src/engine/overlap.ts). */
    overlapPolicy: text("overlap_policy", { enum: overlapPolicies }).notNull().default("allow"),
    /** Slots skipped by overlap_policy skip (each is a `skipped` ledger row with reason `overlap`); never swept. */
    skippedRuns: integer("skipped_runs").notNull().default(0),
    /** `latest | none`: which missed slot, if any, runs after missed ticks (src/engine/catchup.ts). */
    catchup: text("catchup", { enum: catchupPolicies }).notNull().default("latest"),
    /** A slot claimed later than this after it is recorded missed instead of run; null: no limit. */
    maxLatenessSeconds: integer("max_lateness_seconds"),
    /** `callback` (src/engine/completion.ts) or null: the answer to the request is the outcome. */
    completionMode: text("completion_mode", { enum: completionModes }),
    /** With completion_mode: the run's deadline after its start (s), up to 24 h. */
    completionTimeoutSeconds: integer("completion_timeout_seconds"),
    /**
     * First slot of the job's open missed span: the newest slots handled were missed, so the next claim's missed
     * slots extend that ledger row. Null once a slot runs or the schedule or state changes.
     */
    missedFrom: integer("missed_from"),
    /** JSON of the job's success rules (src/jobs/success-rules.ts); null: the default, 2xx is success. */
    successRules: text("success_rules"),
    /** JSON of the job's alert policy and channels (src/alerts/policy.ts); null: no alerts. */
    alertPolicy: text("alert_policy"),
    /** When the current failure streak was first alerted (epoch ms); null while healthy or not alerted yet. */
    alertStreakAlertedAt: integer("alert_streak_alerted_at"),
    /** The streak's latest alert (first alert or reminder), for remind_every_minutes (epoch ms). */
    alertLastAt: integer("alert_last_at"),
    /** When runs became slow (alerted once per slow spell); null while runs are not slow. */
    alertSlowSince: integer("alert_slow_since"),
    /**
     * Schedule-health spells (src/alerts/schedule-health.ts): the latest `missed`, `skipped`, `late` or
     * `dead_lettered` alert (first or reminder) of the current spell (epoch ms); null when not in one.
     */
    alertMissedAt: integer("alert_missed_at"),
    alertSkippedAt: integer("alert_skipped_at"),
    alertLateAt: integer("alert_late_at"),
    alertDeadAt: integer("alert_dead_at"),
    /** When the current SLO burn spell began (`slo_burn` sent, src/alerts/slo.ts); null when not burning. */
    alertSloBurnAt: integer("alert_slo_burn_at"),
    /** When the alert policy disabled the job (epoch ms) and why; both null unless state is `disabled`. */
    disabledAt: integer("disabled_at"),
    disabledReason: text("disabled_reason"),
    /**
     * A pause with an end (epoch ms): the first tick at or after it resumes the job (src/engine/resume.ts); null
     * for a job not paused, or paused until resumed by hand.
     */
    pausedUntil: integer("paused_until"),
    /** Why the job is paused, as the user gave it (≤ 200 characters); null when not paused or none was given. */
    pauseReason: text("pause_reason"),
    /**
     * When the current pause began (epoch ms): the paused span holds the slots after it and before paused_until;
     * null while the job is not paused.
     */
    pausedAt: integer("paused_at"),
    nextRunAt: integer("next_run_at"),
    lastRunAt: integer("last_run_at"),
    lastRunStatus: text("last_run_status"),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    /** Scheduled runs so far, for end_type "after". */
    occurrences: integer("occurrences").notNull().default(0),
    /** The newest schedule slot claimed (epoch ms): its final outcome completes an ended schedule. */
    lastClaimedSlot: integer("last_claimed_slot"),
    /** The slot of the run whose final outcome set last_run_*: an older slot finishing late leaves them alone. */
    lastOutcomeSlot: integer("last_outcome_slot"),
    totalExecutions: integer("total_executions").notNull().default(0),
    successfulExecutions: integer("successful_executions").notNull().default(0),
    failedExecutions: integer("failed_executions").notNull().default(0),
    /**
     * Of failed_executions, the errors and timeouts (failures are the rest): the metrics' runs_total by status,
     * counted in the recording UPDATE, never swept.
     */
    errorExecutions: integer("error_executions").notNull().default(0),
    timeoutExecutions: integer("timeout_executions").notNull().default(0),
    /**
     * Slots skipped per reason, beside skipped_runs (overlap), each counted in the statement that skips the slot
     * (src/engine/skip-counts.ts); never swept: the metrics' skipped_total.
     */
    skippedPaused: integer("skipped_paused").notNull().default(0),
    skippedMissed: integer("skipped_missed").notNull().default(0),
    skippedCalendar: integer("skipped_calendar").notNull().default(0),
    skippedMaintenance: integer("skipped_maintenance").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    /** Soft delete: the row and its logs become unreachable at once; the sweep removes them later. */
    deletedAt: integer("deleted_at"),
    /**
     * The job's shard-local number, stored by logs and counts instead of the id. Assigned max + 1 by the insert
     * trigger (migration 0016), not the rowid, which VACUUM may renumber.
     */
    num: integer("num").unique("cron_jobs_num_unique"),
  },
  (t) => [
    index("cron_jobs_account_created_idx").on(t.accountId, t.createdAt),
    // Only live, active jobs are ever due: a partial index keeps the tick's scan tiny.
    index("cron_jobs_due_idx").on(t.nextRunAt).where(sql`${t.isActive} = 1 AND ${t.deletedAt} IS NULL`),
    index("cron_jobs_deleted_idx").on(t.deletedAt).where(sql`${t.deletedAt} IS NOT NULL`),
    // The tick's resume step reads only jobs paused until an instant.
    index("cron_jobs_resume_idx").on(t.pausedUntil).where(sql`${t.pausedUntil} IS NOT NULL AND ${t.deletedAt} IS NULL`),
  ],
);

export const executionStatuses = ["success", "failure", "error", "timeout"] as const;
export type ExecutionStatus = (typeof executionStatuses)[number];
/** The success rule that decided a response's status, as a log says (src/jobs/success-rules.ts). */
export const decidedByRules = ["status_codes", "body_contains", "body_not_contains"] as const;
export type DecidedBy = (typeof decidedByRules)[number];

/**
 * Execution logs: the fixed-size part of each log, keyed for the reads. The execution id is stored as its key
 * (`slot`, `id_hi`, `id_lo`: src/logs/log-key.ts), which sorts exactly as the id text, so the keyset order
 * (executed_at, id) is the index order. WITHOUT ROWID (migration 0016; drizzle-kit cannot declare it): the key is
 * the row, so an insert writes the row and two index entries, and `ON CONFLICT DO NOTHING` keeps it idempotent.
 *
 * The variable part (body, error message, headers) lives in `log_bodies`, compressed: an index b-tree keeps whole
 * cells in its interior pages and spills a cell over ~490 B to an overflow page, so text here costs a page per log.
 * `body` names the row there: 0 = none; NULL = a row written before `log_bodies`, whose text is still inline in
 * the three legacy columns until the store migration moves it (src/engine/migrate-logs.ts).
 */
export const logs = sqliteTable(
  "logs",
  {
    slot: integer("slot").notNull(),
    idHi: integer("id_hi").notNull(),
    idLo: integer("id_lo").notNull(),
    /** cron_jobs.num */
    job: integer("job").notNull(),
    /** accounts.num */
    account: integer("account").notNull(),
    executedAt: integer("executed_at").notNull(),
    /** Index into executionStatuses: 0 success, 1 failure, 2 error, 3 timeout. */
    status: integer("status").notNull(),
    /**
     * Trigger and origin in one (src/logs/log-row.ts): 0 schedule, 1 retry of a schedule run, 2 manual, 3 retry
     * of a manual run. A schedule run's scheduled_at is its slot; a manual run has none.
     */
    kind: integer("kind").notNull(),
    responseCode: integer("response_code"),
    responseTimeMs: integer("response_time_ms"),
    retryAttempt: integer("retry_attempt").notNull().default(0),
    /** Index into decidedByRules; null for an error or timeout (src/jobs/success-rules.ts). */
    decidedBy: integer("decided_by"),
    errorMessage: text("error_message"),
    /** Legacy inline text (null for rows written with `body` set): see log_bodies. */
    responseHeaders: text("response_headers"),
    responseBody: text("response_body"),
    /** log_bodies.id; 0 = no text; NULL = legacy inline text (above), not yet moved. */
    body: integer("body"),
  },
  (t) => [
    primaryKey({ columns: [t.slot, t.idHi, t.idLo] }),
    // One job's logs newest first (page, cursor, export, count edges, stats); status, code and latency last so
    // their filters are read from the index, not the row.
    index("logs_job_time_idx").on(
      t.job,
      t.executedAt,
      t.slot,
      t.idHi,
      t.idLo,
      t.status,
      t.responseCode,
      t.responseTimeMs,
    ),
    // Account-wide logs, the same with the job for the live-job check; also the sweep's per-account time range.
    index("logs_account_time_idx").on(
      t.account,
      t.executedAt,
      t.slot,
      t.idHi,
      t.idLo,
      t.job,
      t.status,
      t.responseCode,
      t.responseTimeMs,
    ),
    // Exact totals of code and latency filters: a code range is one key range; a latency bound one per code.
    index("logs_job_code_idx").on(t.job, t.responseCode, t.responseTimeMs, t.executedAt, t.status),
  ],
);

/** Bytes as SQLite stores a BLOB; D1 returns one as an ArrayBuffer or an array of numbers. */
const bytes = customType<{ data: Uint8Array; driverData: ArrayBuffer | Uint8Array | number[] }>({
  dataType: () => "blob",
  toDriver: (v) => v,
  fromDriver: (v) => (v instanceof Uint8Array ? v : new Uint8Array(v as ArrayBuffer)),
});

/**
 * The variable part of a log, one rowid row per log with any text: a table b-tree keeps only rowids in its
 * interior pages, and a compressed 1 KB body (~250 B) stays on its leaf. Each column is a codec byte then the
 * bytes (src/lib/codec: 0 raw UTF-8, n deflate-raw with dictionary n); null when the log has none of it.
 */
export const logBodies = sqliteTable("log_bodies", {
  id: integer("id").primaryKey(),
  responseBody: bytes("response_body"),
  errorMessage: bytes("error_message"),
  responseHeaders: bytes("response_headers"),
});

/**
 * Hourly rollups per (job number, status number, UTC hour), WITHOUT ROWID (custom SQL in its migration). The insert
 * trigger on `logs` adds each new log in the same statement; the sweep subtracts `n` and `sum_ms` of the logs it
 * deletes and drops a row once its whole hour has expired. Page totals, stats and status filters read these
 * instead of walking logs. `sketch` (src/logs/sketch.ts) holds the latencies of successful runs only.
 */
export const logHours = sqliteTable(
  "log_hours",
  {
    job: integer("job").notNull(),
    status: integer("status").notNull(),
    /** floor(executed_at / 3,600,000): the UTC hour number. */
    hour: integer("hour").notNull(),
    n: integer("n").notNull(),
    /** Sum, min and max of response_time_ms over the hour's logs that have one. */
    sumMs: integer("sum_ms"),
    minMs: integer("min_ms"),
    maxMs: integer("max_ms"),
    /** JSON {bucket: count} of response_time_ms (status 0 only), relative error ≤ 1 %. */
    sketch: text("sketch"),
    /**
     * What the hour's logs hold, as bits (src/logs/rollups.ts LOG_FLAGS): 1 a log without a response code, 2 << (c − 1)
     * a code of class cxx (1–5), 64 a code outside 100–599, 128 a log without a response time. NULL: unknown (rows
     * from before the column), so search filters walk the hour. Kept by the insert trigger like min_ms.
     */
    flags: integer("flags"),
    /** Smallest and largest response_code of the hour's logs (for flags set only). */
    codeMin: integer("code_min"),
    codeMax: integer("code_max"),
  },
  (t) => [primaryKey({ columns: [t.job, t.status, t.hour] })],
);

/**
 * Per job, its successful runs' latencies merged over the metrics' closed hours `end_hour` − 22 .. `end_hour`
 * (src/metrics/windows.ts): derived from log_hours by the tick, so a scrape reads one sketch, not 23. Triggers on
 * `logs` (custom SQL in its migration) drop a job's window when a log lands in or leaves its hours.
 */
export const latencyWindows = sqliteTable("latency_windows", {
  job: integer("job").primaryKey(),
  endHour: integer("end_hour").notNull(),
  maxMs: integer("max_ms"),
  /** Counts from the first bucket key on, "612:3,1,,2" (src/metrics/merge.ts windowText); NULL when empty. */
  sketch: text("sketch"),
});

/**
 * Shard-wide progress of background work that is not per account (the store migration's bookmark and watermark,
 * the metrics windows' busy-scan hour), as named integers.
 */
export const shardState = sqliteTable("shard_state", {
  key: text("key").primaryKey(),
  value: integer("value").notNull(),
});

/**
 * The run ledger: one row per attempt of a slot, from the moment it is claimed (src/engine/ledger.ts), kept as long
 * as logs. Keyed like `logs` by integers: (job, slot, id_hi, id_lo) is cron_jobs.num and the attempt's execution id
 * (src/logs/log-key.ts; its first part is the slot, so one job's history is one key range in slot order). The
 * engine sees the text ids (RunRow, rebuilt by src/engine/run-row.ts). `state`, `reason` and `origin` are indexes
 * into runStates, runReasons and runOrigins.
 *
 * Rows written per execution are what D1 bills, so the ledger keeps one index: the table is WITHOUT ROWID (the key is
 * the row; migration 0028 creates it, and drizzle-kit cannot declare it, so a change that makes drizzle-kit recreate
 * this table must repeat it), and runs_job_unfinished_idx holds only unfinished runs under a key (job, slot) that a
 * lease does not change. The relay finds stranded runs by scanning that partial index (a handful of rows: only
 * runs in flight), not by a state/time index.
 */
export const runs = sqliteTable(
  "runs",
  {
    /** cron_jobs.num */
    job: integer("job").notNull(),
    /** Schedule slot (epoch ms); for a manual run the request time. The execution id's first part. */
    slot: integer("slot").notNull(),
    idHi: integer("id_hi").notNull(),
    idLo: integer("id_lo").notNull(),
    /** accounts.num */
    account: integer("account").notNull(),
    attempt: integer("attempt").notNull(),
    /** Index into runOrigins: 0 schedule, 1 manual. */
    origin: integer("origin").notNull(),
    /** Index into runStates. */
    state: integer("state").notNull(),
    /** Index into runReasons; null unless the run was skipped or closed for a reason. */
    reason: integer("reason"),
    /** When the attempt is due (epoch ms): the slot for a first attempt, the retry time for later ones. */
    plannedAt: integer("planned_at").notNull(),
    /** A consumer holds the run until then (epoch ms): the job's timeout plus a recording margin. */
    leaseUntil: integer("lease_until"),
    /** How many times a lease was taken: more than one means the target may have been called more than once. */
    leases: integer("leases").notNull().default(0),
    /** When its queue message was last sent (epoch ms); null until sent. The relay re-sends stale queued rows. */
    sentAt: integer("sent_at"),
    /**
     * Random per manual run, so runs started in one millisecond stay distinct; null for schedule slots. The next
     * attempt's execution id is derived from it.
     */
    nonce: text("nonce"),
    /** The execution id this run replays (POST …/replay, src/runs/replay.ts); null for every other run. */
    replayOf: text("replay_of"),
    /**
     * A span of missed slots (src/engine/catchup.ts) is one row: `slot` its first slot (keyed as that slot's first
     * attempt, which never runs), `last_slot` its last and `slot_count` how many. Null on every other row (one slot).
     */
    lastSlot: integer("last_slot"),
    slotCount: integer("slot_count"),
    /**
     * Async completion (src/engine/completion.ts), null on every other run: SHA-256 (base64url) of the completion
     * URL's random token, the attempt's start, and its deadline (start + completion_timeout_seconds).
     */
    completionHash: text("completion_hash"),
    startedAt: integer("started_at"),
    deadlineAt: integer("deadline_at"),
  },
  (t) => [
    primaryKey({ columns: [t.job, t.slot, t.idHi, t.idLo] }),
    // A job's unfinished runs (queued, running), for the overlap checks (src/engine/overlap.ts) at the claim and the
    // lease; the relay scans it whole (src/engine/ledger.ts findStrandedRuns).
    index("runs_job_unfinished_idx").on(t.job, t.slot).where(sql`${t.state} IN (0, 1)`),
    // The account's dead letters newest first (src/runs/dead-letters.ts): only `dead` rows (state 5) have an entry,
    // so a normal run writes nothing here.
    index("runs_account_dead_idx").on(t.account, t.slot, t.idHi, t.idLo).where(sql`${t.state} = 5`),
    // A job's spans by their end (src/runs/history.ts): the span still covering a history's start_date. Only span
    // rows have an entry.
    index("runs_job_span_idx").on(t.job, t.lastSlot).where(sql`${t.lastSlot} IS NOT NULL`),
    // Awaiting runs (state 2) only: by deadline for the tick's timeouts, by job for the overlap checks. A run writes
    // an entry when parked and removes it when recorded; no other run writes here.
    index("runs_awaiting_deadline_idx").on(t.deadlineAt).where(sql`${t.state} = 2`),
    index("runs_job_awaiting_idx").on(t.job, t.slot).where(sql`${t.state} = 2`),
  ],
);

/**
 * The ledger as it was before migration 0028 (text ids, text state), holding only finished rows: the migration
 * moved the unfinished ones to `runs`. The rest move in chunks (src/engine/ledger.ts moveLegacyRunsChunk) or expire
 * (deleteRunsBefore); a later migration drops the table once it is empty everywhere.
 */
export const runsV1 = sqliteTable("runs_v1", {
  id: text("id").primaryKey(),
  jobId: text("job_id").notNull(),
  accountId: text("account_id").notNull(),
  slot: integer("slot").notNull(),
  nonce: text("nonce"),
  origin: text("origin", { enum: runOrigins }).notNull(),
  attempt: integer("attempt").notNull(),
  plannedAt: integer("planned_at").notNull(),
  state: text("state").notNull(),
  skipReason: text("skip_reason"),
  leaseUntil: integer("lease_until"),
  leases: integer("leases").notNull().default(0),
  sentAt: integer("sent_at"),
  createdAt: integer("created_at").notNull(),
});

/**
 * The outbox: follow-up messages (callbacks) written in the same batch as the log that causes them, sent after
 * it, and deleted once sent. Ids start with the execution id, so a redelivery finds its run's unsent follow-ups
 * by a primary-key range.
 */
export const outbox = sqliteTable("outbox", {
  id: text("id").primaryKey(),
  accountId: text("account_id").notNull(),
  /** The queue message (JSON of an EngineMessage). */
  message: text("message").notNull(),
  createdAt: integer("created_at").notNull(),
});

/**
 * `test`: sent on request (POST …/alerts/{id}/test) to check a channel; says nothing about the job's runs. The
 * schedule-health events (src/alerts/schedule-health.ts): `missed` (a span of missed slots), `skipped` (an
 * overlap skip), `late` (a run started over late_after_seconds late), `dead_lettered` (a run closed `dead`).
 * `slo_burn` and `slo_ok` (src/alerts/slo.ts): an SLO's error budget burning fast, and that ending.
 */
export const alertEvents = [
  "failure",
  "reminder",
  "recovery",
  "slow",
  "disabled",
  "test",
  "missed",
  "skipped",
  "late",
  "dead_lettered",
  "slo_burn",
  "slo_ok",
] as const;
export type AlertEvent = (typeof alertEvents)[number];
/** A monitor's alerts (src/monitors/alerts.ts): `down` when it goes down, `up` when a success ends that. */
export const monitorAlertEvents = ["down", "up"] as const;
export type MonitorAlertEvent = (typeof monitorAlertEvents)[number];
export const alertChannelTypes = ["webhook", "slack", "discord", "email"] as const;
export type AlertChannelType = (typeof alertChannelTypes)[number];
/** What a delivery belongs to: a job (its runs' callbacks and alerts) or a monitor. */
export const deliverySources = ["job", "monitor"] as const;
export type DeliverySource = (typeof deliverySources)[number];
export const deliveryKinds = ["callback", "alert"] as const;
export type DeliveryKind = (typeof deliveryKinds)[number];
/** A callback's event: which of the job's URLs it goes to (success_url, or failure_url for any other status). */
export const callbackEvents = ["success", "failure"] as const;
export type CallbackEvent = (typeof callbackEvents)[number];
/**
 * `recorded`: CALLBACKS=record logged it instead of sending it. `unconfirmed`: an e-mail recipient not confirmed.
 * `refused`: the target guard refused the URL or a redirect hop.
 */
export const deliveryStates = ["pending", "delivered", "failed", "unconfirmed", "refused", "recorded"] as const;
export type DeliveryState = (typeof deliveryStates)[number];

/**
 * Every callback and alert delivery (src/deliveries/): written in the recording batch of the attempt that causes
 * it, with its outbox entry (same id), so a duplicate recording cannot write two; updated by each delivery
 * attempt. Ids: `<execution id>:callback`, `<execution id>:alert:<event>:<channel index>`. Kept as long as logs.
 */
export const deliveries = sqliteTable(
  "deliveries",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    source: text("source", { enum: deliverySources }).notNull(),
    /** The job's (or monitor's) id. */
    sourceId: text("source_id").notNull(),
    /** The run attempt whose recording caused it (`test-…` for a test alert); null when no run did. */
    executionId: text("execution_id"),
    kind: text("kind", { enum: deliveryKinds }).notNull(),
    event: text("event").$type<AlertEvent | MonitorAlertEvent | CallbackEvent>().notNull(),
    /** The alert's channel; null for a callback. */
    channel: text("channel", { enum: alertChannelTypes }),
    /** The URL (secret query values as tokens) or e-mail address. */
    target: text("target").notNull(),
    /** What is sent (JSON body, or JSON of an e-mail's subject and text), fixed when it is written. */
    payload: text("payload").notNull(),
    state: text("state", { enum: deliveryStates }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /** The latest attempt's HTTP status (after redirects); null without a response. */
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    /** When the next attempt is due while `pending` (epoch ms); null once settled. */
    nextAttemptAt: integer("next_attempt_at"),
    firedAt: integer("fired_at").notNull(),
    deliveredAt: integer("delivered_at"),
    /** An attempt holds the row until then (epoch ms), so a duplicated queue message cannot send it twice at once. */
    leaseUntil: integer("lease_until"),
  },
  (t) => [
    index("deliveries_account_time_idx").on(t.accountId, t.firedAt, t.id),
    index("deliveries_source_time_idx").on(t.sourceId, t.firedAt, t.id),
  ],
);

/**
 * E-mail addresses an account may alert (double opt-in): `pending` until the recipient follows the one-time link
 * of the confirmation e-mail (`token_hash` is the hex SHA-256 of its token), then `confirmed`.
 */
export const alertEmailRecipients = sqliteTable(
  "alert_email_recipients",
  {
    accountId: text("account_id").notNull(),
    email: text("email").notNull(),
    status: text("status", { enum: ["pending", "confirmed"] }).notNull(),
    tokenHash: text("token_hash"),
    createdAt: integer("created_at").notNull(),
    confirmationSentAt: integer("confirmation_sent_at"),
    confirmedAt: integer("confirmed_at"),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.email] }), index("alert_email_recipients_token_idx").on(t.tokenHash)],
);

/**
 * Every confirmation e-mail sent (src/alerts/recipients.ts), kept as long as logs whether or not its recipient row
 * still exists: deleting and re-adding an address cannot reset its resend interval, and the per-account hourly cap
 * counts every send.
 */
export const confirmationSends = sqliteTable(
  "confirmation_sends",
  {
    accountId: text("account_id").notNull(),
    email: text("email").notNull(),
    sentAt: integer("sent_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.email, t.sentAt] }),
    index("confirmation_sends_account_time_idx").on(t.accountId, t.sentAt),
    index("confirmation_sends_sent_idx").on(t.sentAt),
  ],
);

/**
 * A monitor's stored state (src/monitors): `new` until its first ping, `up`, `down`, `paused`. `late` is not stored:
 * it is `up` past next_expected_at (src/monitors/present.ts), so no write marks it.
 */
export const monitorStates = ["new", "up", "down", "paused"] as const;
export type MonitorState = (typeof monitorStates)[number];
/** What a ping said, stored as its list index (append-only): an exit status 0 is a success, 1–255 a fail. */
export const pingKinds = ["success", "start", "fail", "log"] as const;
export type PingKind = (typeof pingKinds)[number];
/** The ping's HTTP method, stored as its list index (append-only). */
export const pingMethods = ["GET", "POST", "HEAD"] as const;
export type PingMethod = (typeof pingMethods)[number];

/**
 * Heartbeat monitors (src/monitors): a job that runs elsewhere pings; the shard's minute tick flips a monitor whose
 * down_at has passed to `down`. `config_version` grows with every change of what a ping reads (schedule, grace,
 * alerts, name), so a ping built from a cached copy writes nothing once it is stale.
 */
export const monitors = sqliteTable(
  "monitors",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    name: text("name").notNull(),
    /** Unique among the account's live monitors: `/ping/{ping_key}/{slug}`. */
    slug: text("slug").notNull(),
    /** Seconds between expected pings; null when `cron` is the schedule. */
    periodSeconds: integer("period_seconds"),
    /** A 5-field cron expression in `timezone`; null when period_seconds is the schedule. */
    cron: text("cron"),
    timezone: text("timezone").notNull().default("UTC"),
    graceSeconds: integer("grace_seconds").notNull(),
    /** JSON array of tags. */
    tags: text("tags").notNull().default("[]"),
    /** JSON of the alert channels and on_recovery (src/monitors/schemas.ts); null: no alerts. */
    alertPolicy: text("alert_policy"),
    /** JSON of the sealed channel URLs by token hash (src/lib/secrets), as cron_jobs.secrets; null: none. */
    secrets: text("secrets"),
    state: text("state", { enum: monitorStates }).notNull().default("new"),
    stateChangedAt: integer("state_changed_at"),
    /** The latest ping other than `log` (epoch ms). */
    lastPingAt: integer("last_ping_at"),
    /** The latest `start` ping (epoch ms). */
    lastStartAt: integer("last_start_at"),
    /** A start not yet ended by its success or fail (same rid, or both none): it goes down at open_start_at + grace. */
    openStartAt: integer("open_start_at"),
    openStartRid: text("open_start_rid"),
    /** duration_ms of the latest paired end. */
    lastDurationMs: integer("last_duration_ms"),
    /** When the next success is due (epoch ms); null while new or paused. */
    nextExpectedAt: integer("next_expected_at"),
    /**
     * When the tick flips the monitor to `down` unless a ping comes first: next_expected_at + grace, or an open
     * start's + grace if sooner. Set only while `up`, so the partial index holds only monitors that can go down.
     */
    downAt: integer("down_at"),
    configVersion: integer("config_version").notNull().default(1),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    /** Soft delete: the slug is free at once; the sweep removes the pings, then the row. */
    deletedAt: integer("deleted_at"),
    /** Shard-local number stored by pings, assigned max + 1 like cron_jobs.num (insert trigger of its migration). */
    num: integer("num").unique("monitors_num_unique"),
  },
  (t) => [
    uniqueIndex("monitors_account_slug_idx").on(t.accountId, t.slug).where(sql`${t.deletedAt} IS NULL`),
    index("monitors_account_created_idx").on(t.accountId, t.createdAt),
    // The tick's check reads only monitors that can go down, in down_at order (src/monitors/check.ts).
    index("monitors_down_idx").on(t.downAt).where(sql`${t.downAt} IS NOT NULL`),
    index("monitors_deleted_idx").on(t.deletedAt).where(sql`${t.deletedAt} IS NOT NULL`),
  ],
);

/**
 * Pings, kept as long as logs: a rowid table (interior pages hold only rowids), so the compressed body (codec byte
 * then bytes, src/lib/codec) stays on its leaf. `kind` and `method` index pingKinds and pingMethods.
 */
export const monitorPings = sqliteTable(
  "monitor_pings",
  {
    id: integer("id").primaryKey(),
    /** monitors.num */
    monitor: integer("monitor").notNull(),
    /** When it was received (epoch ms). */
    at: integer("at").notNull(),
    kind: integer("kind").notNull(),
    method: integer("method").notNull(),
    /** The exit status of `/ping/…/{0-255}`; null for the named forms. */
    exitStatus: integer("exit_status"),
    /** The `?rid=` UUID pairing a start with its end. */
    rid: text("rid"),
    /** An end's time since its start (src/monitors/ping.ts pairs them); null when unpaired. */
    durationMs: integer("duration_ms"),
    /** The POST body's first 10 KB, encoded by src/lib/codec; null without one. */
    body: bytes("body"),
  },
  (t) => [
    // One monitor's pings newest first (the list, the sweep's range per monitor).
    index("monitor_pings_monitor_time_idx").on(t.monitor, t.at),
    // The latest ping of a rid, to pair an end with its start; only pings with a rid have an entry.
    index("monitor_pings_rid_idx").on(t.monitor, t.rid).where(sql`${t.rid} IS NOT NULL`),
  ],
);

export type MonitorRow = typeof monitors.$inferSelect;
export type MonitorPingRow = typeof monitorPings.$inferSelect;

/**
 * Calendars (src/calendars): instants a job's schedule_config.exclude_calendars skips, as local dates in
 * `timezone`, instant ranges and recurring cron windows. Configuration: kept until deleted, never swept by age.
 */
export const calendars = sqliteTable(
  "calendars",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    name: text("name").notNull(),
    timezone: text("timezone").notNull().default("UTC"),
    /** JSON array of local dates (`YYYY-MM-DD`) in `timezone`, each excluding its whole local day. */
    dates: text("dates").notNull().default("[]"),
    /** JSON array of `{start, end}` epoch ms: each excludes [start, end). */
    ranges: text("ranges").notNull().default("[]"),
    /** JSON array of `{cron, duration_minutes}`: each match in `timezone` excludes the minutes after it. */
    recurring: text("recurring").notNull().default("[]"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("calendars_account_created_idx").on(t.accountId, t.createdAt, t.id)],
);

export const maintenanceActions = ["skip", "mute"] as const;
export type MaintenanceAction = (typeof maintenanceActions)[number];

/**
 * Maintenance windows (src/calendars): `skip` records the slots of the jobs in scope as skipped (reason
 * `maintenance`); `mute` runs them but sends no alert. One-off (`start_at` to `end_at`) or recurring (a cron in
 * `timezone`, each match lasting duration_minutes, bounded by start_at/end_at when set).
 */
export const maintenanceWindows = sqliteTable(
  "maintenance_windows",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    name: text("name"),
    startAt: integer("start_at"),
    endAt: integer("end_at"),
    /** JSON `{cron, duration_minutes}`; null for a one-off window. */
    recurrence: text("recurrence"),
    timezone: text("timezone").notNull().default("UTC"),
    action: text("action", { enum: maintenanceActions }).notNull(),
    /** JSON arrays: the window covers these jobs, these monitors, and jobs or monitors with any of these tags. */
    jobIds: text("job_ids").notNull().default("[]"),
    monitorIds: text("monitor_ids").notNull().default("[]"),
    tags: text("tags").notNull().default("[]"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  // Also the tick's "has this account any window" probe (src/engine/due-jobs.ts), by its account_id prefix.
  (t) => [index("maintenance_windows_account_created_idx").on(t.accountId, t.createdAt, t.id)],
);

export type CalendarRow = typeof calendars.$inferSelect;
export type MaintenanceWindowRow = typeof maintenanceWindows.$inferSelect;

export type AccountRow = typeof accounts.$inferSelect;
export type RetiredSigningSecretRow = typeof retiredSigningSecrets.$inferSelect;
export type CronJobRow = typeof cronJobs.$inferSelect;
/**
 * One log as the API, exports and engine see it: the shape the `execution_logs` table had, rebuilt from a `logs`
 * row by src/logs/log-row.ts (and by the `execution_logs` view in SQL).
 */
export interface ExecutionLogRow {
  /** `exe_` + time-sortable id derived from (job, slot, attempt): idempotent inserts. */
  id: string;
  cronJobId: string;
  accountId: string;
  executedAt: number;
  status: ExecutionStatus;
  responseCode: number | null;
  responseBody: string | null;
  errorMessage: string | null;
  responseTimeMs: number | null;
  retryAttempt: number;
  /** The schedule slot (epoch ms) the run belongs to; null for manual runs and their retries. */
  scheduledAt: number | null;
  /** What started this attempt: the schedule, a retry of an earlier attempt, or POST /trigger. */
  trigger: RunTrigger;
  /** JSON object of the response's allow-listed headers (src/engine/response-headers.ts); null without a response. */
  responseHeaders: string | null;
  /** Which success rule decided the status (src/jobs/success-rules.ts); null for an error or timeout. */
  decidedBy: DecidedBy | null;
}
/** A ledger row as the engine sees it: text ids, named state (src/engine/run-row.ts builds it from `runs`). */
export interface RunRow {
  /** The attempt's execution id. */
  id: string;
  jobId: string;
  accountId: string;
  slot: number;
  nonce: string | null;
  origin: RunOrigin;
  attempt: number;
  plannedAt: number;
  state: RunState;
  reason: RunReason | null;
  leaseUntil: number | null;
  leases: number;
  sentAt: number | null;
  /** The execution id this run replays (POST …/replay); null for every other run. */
  replayOf: string | null;
}
/** A `runs` row as stored. */
export type StoredRunRow = typeof runs.$inferSelect;

/**
 * Idempotency keys of POST /create and POST /trigger (src/lib/idempotency/store.ts): the first response to a key is
 * kept for 24 hours and replayed to a repeat of the same request; `status` is null while that first request runs.
 */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    accountId: text("account_id").notNull(),
    key: text("key").notNull(),
    /** Hex SHA-256 of the method, path and body: a repeat must match it. */
    fingerprint: text("fingerprint").notNull(),
    status: integer("status"),
    responseBody: text("response_body"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.key] }),
    index("idempotency_keys_created_idx").on(t.createdAt),
    // The account's live keys, counted on every claim against MAX_IDEMPOTENCY_KEYS.
    index("idempotency_keys_account_created_idx").on(t.accountId, t.createdAt),
  ],
);

/**
 * The edgecron SDK: a typed client over openapi-fetch (types generated from the Worker's OpenAPI document by
 * openapi-typescript), with helpers for what the raw routes leave to the caller — iterating cursor pages,
 * streaming an export, pausing/resuming. Every method throws `EdgecronApiError` (an RFC 9457 problem) on an
 * error status and `EdgecronNetworkError` when the server cannot be reached.
 */
import createClient, { type Client } from "openapi-fetch";
import { CalendarsResource, MaintenanceWindowsResource } from "./calendars.js";
import { EdgecronApiError, EdgecronNetworkError } from "./errors.js";
import { MonitorsResource, type PingOptions, type PingResult, pingKeyOf, sendPing } from "./monitors.js";
import { ndjsonValues } from "./ndjson.js";
import type { paths } from "./schema.js";
import type {
  AccountExportQuery,
  AccountLogsFilter,
  ApiKey,
  ApiKeyCreate,
  BulkReplayItem,
  CreatedApiKey,
  DeadLetter,
  DeadLettersPage,
  DeletedJob,
  DeliveriesFilter,
  DeliveriesPage,
  Delivery,
  ExecutionLog,
  ExportFormat,
  Job,
  JobClone,
  JobCreate,
  JobExportQuery,
  JobListPage,
  JobListQuery,
  JobLogsFilter,
  JobStats,
  JobUpdate,
  LogsFirstPage,
  LogsPage,
  MetricsFormat,
  Problem,
  RedeliveredDelivery,
  ReplayPending,
  ReplayResult,
  RunEntry,
  RunsFilter,
  RunsPage,
  SchedulePreview,
  SchedulePreviewRequest,
  StatsQuery,
  TriggerPending,
  TriggerResult,
} from "./types.js";

export interface EdgecronClientOptions {
  /** Where the API is served, e.g. `https://edgecron.example.workers.dev` or `http://localhost:8787`. */
  baseUrl: string;
  /** The account id (a UUID) every `/v1/cron-jobs/{accountId}/…` route is scoped to. */
  accountId: string;
  /** `X-API-Key` and `X-API-Secret`, as `account:create` / `key:create` printed them. */
  apiKey: string;
  apiSecret: string;
  /** A fetch implementation (tests, proxies); the global `fetch` by default. */
  fetch?: (request: Request) => Promise<Response>;
  /** Extra headers sent with every request (e.g. `User-Agent`). */
  headers?: Record<string, string>;
  /**
   * The account's ping key, for `ping(slug)`; or a full-scope monitor's `ping_url` (the key is read from it). Not
   * needed to ping by monitor id.
   */
  pingKey?: string;
}

/** Which logs: one job's (`jobId`) or the account's live jobs (optionally narrowed by `cron_job_id`, `tags`). */
export type LogsSelector = ({ jobId: string } & JobLogsFilter) | ({ jobId?: undefined } & AccountLogsFilter);

export type LogsPageOptions = LogsSelector & {
  /** 1–100 logs a page (the API's default is 50). */
  limit?: number;
  /** `pagination.next_cursor` of the previous page; omitted for the first (newest) page. */
  cursor?: string;
  signal?: AbortSignal;
};

/** Paging of the cursor-paginated lists (dead letters, deliveries, runs). */
export interface CursorPageOptions {
  /** 1–100 entries a page (the API's default is 50). */
  limit?: number;
  /** `pagination.next_cursor` of the previous page; omitted for the first (newest) page. */
  cursor?: string;
  signal?: AbortSignal;
}

export type DeliveriesPageOptions = DeliveriesFilter & CursorPageOptions;
export type RunsPageOptions = RunsFilter & CursorPageOptions;

/** Which logs an export streams: the logs pages' filters except the text search `q`. */
export type ExportSelector =
  | ({ jobId: string } & Omit<JobExportQuery, "format">)
  | ({ jobId?: undefined } & Omit<AccountExportQuery, "format">);

export type ExportOptions = ExportSelector & { format?: ExportFormat; signal?: AbortSignal };

export interface MetricsOptions {
  /** `prometheus` (text 0.0.4, the default) or `openmetrics` (OpenMetrics 1.0, ending with `# EOF`). */
  format?: MetricsFormat;
  signal?: AbortSignal;
}

/** The Accept header asking for exactly one exposition format (src/metrics/negotiate.ts). */
const METRICS_ACCEPT: Record<MetricsFormat, string> = {
  prometheus: "text/plain; version=0.0.4",
  openmetrics: "application/openmetrics-text; version=1.0.0",
};

/** A streamed export: the body is read as the caller consumes it (the Worker pages its query by reads). */
export interface LogExport {
  format: ExportFormat;
  contentType: string;
  /** From `Content-Disposition`, e.g. `edgecron-logs-<id>.csv`. */
  filename: string | null;
  body: ReadableStream<Uint8Array>;
}

/** Options of the calls that create something. */
export interface RequestOptions {
  /** Sent as `Idempotency-Key` (1–255 printable characters, e.g. a UUID you keep across retries). */
  idempotencyKey?: string;
}

function idempotency(options: RequestOptions): { "idempotency-key"?: string } {
  return options.idempotencyKey === undefined ? {} : { "idempotency-key": options.idempotencyKey };
}

type Result<T> = { data?: T; error?: unknown; response: Response };
type CursorPage = {
  data: unknown[];
  pagination: { next_cursor?: string | null };
  scan?: { complete: boolean };
};

export class EdgecronClient {
  /** The underlying openapi-fetch client, typed by every route of the document, for anything not wrapped here. */
  readonly raw: Client<paths>;
  readonly accountId: string;
  readonly baseUrl: string;
  /** Heartbeat monitors: create, list, get, update, delete, pause, resume, pings, rotatePingKey. */
  readonly monitors: MonitorsResource;
  /** Calendars of excluded instants: create, page, list, get, update, delete, importIcs. */
  readonly calendars: CalendarsResource;
  /** Maintenance windows that skip or mute jobs and monitors: create, page, list, get, update, delete. */
  readonly maintenanceWindows: MaintenanceWindowsResource;
  private readonly pingKey: string | undefined;
  private readonly fetchImpl: (request: Request) => Promise<Response>;
  private readonly extraHeaders: Record<string, string>;

  constructor(options: EdgecronClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.accountId = options.accountId;
    this.pingKey = options.pingKey?.includes("/") ? (pingKeyOf(options.pingKey) ?? undefined) : options.pingKey;
    this.fetchImpl = options.fetch ?? ((request) => fetch(request));
    this.extraHeaders = { ...options.headers };
    this.raw = createClient<paths>({
      baseUrl: this.baseUrl,
      headers: { ...options.headers, "X-API-Key": options.apiKey, "X-API-Secret": options.apiSecret },
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    const call = <T>(request: Promise<Result<T>>) => this.call(request);
    this.monitors = new MonitorsResource(this.raw, this.accountId, call);
    this.calendars = new CalendarsResource(this.raw, this.accountId, call);
    this.maintenanceWindows = new MaintenanceWindowsResource(this.raw, this.accountId, call);
  }

  /**
   * Pings a monitor, by slug (with the ping key) or by monitor id, in Healthchecks' grammar: `state` start, fail,
   * log or an exit status (default success), `rid` pairing a start with its end, `body` sent by POST. No API key is
   * sent: pings are unauthenticated.
   */
  ping(target: string, options: PingOptions = {}): Promise<PingResult> {
    const pingKey = options.pingKey ?? this.pingKey;
    return sendPing(this.fetchImpl, this.baseUrl, target, { ...options, pingKey }, this.extraHeaders);
  }

  private get account() {
    return { accountId: this.accountId };
  }

  private job(id: string) {
    return { accountId: this.accountId, cron_job_id: id };
  }

  /** Awaits an openapi-fetch call: its data, or a typed error. */
  private async call<T>(request: Promise<Result<T>>): Promise<T> {
    return (await this.send(request)).data;
  }

  private async send<T>(request: Promise<Result<T>>): Promise<{ data: T; response: Response }> {
    let result: Result<T>;
    try {
      result = await request;
    } catch (cause) {
      if (cause instanceof Error && cause.name === "AbortError") throw cause;
      throw new EdgecronNetworkError(this.baseUrl, { cause });
    }
    const { data, error, response } = result;
    if (!response.ok || data === undefined) {
      const problem = error && typeof error === "object" ? (error as Problem) : null;
      throw new EdgecronApiError(response.status, problem, response);
    }
    return { data, response };
  }

  // ── Cron jobs ──────────────────────────────────────────────────────────────────────────────────────────

  /** One page of jobs, newest first (`page`, `limit` ≤ 100, `is_active`, `tags`, `search`). */
  listJobs(query: JobListQuery = {}): Promise<JobListPage> {
    return this.call(this.raw.GET("/v1/cron-jobs/{accountId}/list", { params: { path: this.account, query } }));
  }

  /**
   * Every page of jobs from `query.page` (default 1) to the last. The list endpoint pages by number, so a job
   * created or deleted during the walk can shift a row between pages.
   */
  async *jobPages(query: JobListQuery = {}): AsyncGenerator<JobListPage> {
    for (let page = query.page ?? 1; ; page++) {
      const res = await this.listJobs({ ...query, page });
      yield res;
      if (res.data.length === 0 || page >= res.pagination.total_pages) return;
    }
  }

  /** Every job matching `query`, one at a time: `for await (const job of client.jobs()) …`. */
  async *jobs(query: JobListQuery = {}): AsyncGenerator<Job> {
    for await (const page of this.jobPages(query)) yield* page.data;
  }

  async getJob(id: string): Promise<Job> {
    const res = await this.call(
      this.raw.GET("/v1/cron-jobs/{accountId}/details/{cron_job_id}", { params: { path: this.job(id) } }),
    );
    return res.data;
  }

  /**
   * Creates a job. With `idempotencyKey` (sent as `Idempotency-Key`), a retried create answers the first one's job
   * instead of making a second (for 24 h; the same key with a different body is a 422).
   */
  async createJob(job: JobCreate, options: RequestOptions = {}): Promise<Job> {
    const res = await this.call(
      this.raw.POST("/v1/cron-jobs/{accountId}/create", {
        params: { path: this.account, header: idempotency(options) },
        body: job,
      }),
    );
    return res.data;
  }

  /** Partial update: `headers`, `tags`, `schedule_config` replace the stored value; `retry_config`, `callbacks` merge. */
  async updateJob(id: string, patch: JobUpdate): Promise<Job> {
    const res = await this.call(
      this.raw.PATCH("/v1/cron-jobs/{accountId}/update/{cron_job_id}", {
        params: { path: this.job(id) },
        body: patch,
      }),
    );
    return res.data;
  }

  /**
   * Copies a job on the server, its secret values included (they are write-only: never sent to this client). The
   * copy is paused unless `is_active: true`; its name defaults to the source's followed by " (copy)".
   */
  async cloneJob(id: string, options: JobClone = {}): Promise<Job> {
    const res = await this.call(
      this.raw.POST("/v1/cron-jobs/{accountId}/clone/{cron_job_id}", { params: { path: this.job(id) }, body: options }),
    );
    return res.data;
  }

  /**
   * `is_active: false`: no further scheduled runs (and retries in flight stop). `until` (ISO 8601 with Z or an
   * offset) is `paused_until`: the first tick at or after it resumes the job; `reason` is `pause_reason`.
   */
  pauseJob(id: string, options: { until?: string; reason?: string } = {}): Promise<Job> {
    const body: Record<string, unknown> = { is_active: false };
    if (options.until !== undefined) body.paused_until = options.until;
    if (options.reason !== undefined) body.pause_reason = options.reason;
    return this.updateJob(id, body as JobUpdate);
  }

  /** `is_active: true` (409 when the account's active-job limit is reached). */
  resumeJob(id: string): Promise<Job> {
    return this.updateJob(id, { is_active: true } as JobUpdate);
  }

  async deleteJob(id: string): Promise<DeletedJob> {
    const res = await this.call(
      this.raw.DELETE("/v1/cron-jobs/{accountId}/delete/{cron_job_id}", { params: { path: this.job(id) } }),
    );
    return res.data;
  }

  /**
   * Runs the job now with the server's executor and answers that execution (retries and callbacks follow). When
   * the first attempt has no outcome within the server's bounded wait (25 s; jobs with long timeouts), the answer
   * is `{ execution_id, cron_job_id, status: "pending" }` and the log with that id arrives later. With
   * `idempotencyKey`, a retried call answers the first run instead of running the job again.
   */
  async runJob(id: string, options: RequestOptions = {}): Promise<TriggerResult | TriggerPending> {
    const res = await this.call(
      this.raw.POST("/v1/cron-jobs/{accountId}/trigger/{cron_job_id}", {
        params: { path: this.job(id), header: idempotency(options) },
      }),
    );
    return res.data;
  }

  async stats(id: string, query: StatsQuery = {}): Promise<JobStats> {
    const res = await this.call(
      this.raw.GET("/v1/cron-jobs/{accountId}/stats/{cron_job_id}", { params: { path: this.job(id), query } }),
    );
    return res.data;
  }

  /** The runs a job with this schedule would make, validated like a create, without creating anything. */
  async previewSchedule(request: SchedulePreviewRequest): Promise<SchedulePreview> {
    const res = await this.call(
      this.raw.POST("/v1/cron-jobs/{accountId}/schedule/preview", { params: { path: this.account }, body: request }),
    );
    return res.data;
  }

  // ── API keys (a `full` key manages them; `read_only` keys get 403 on every write) ──────────────────────────

  async listKeys(): Promise<ApiKey[]> {
    const res = await this.call(this.raw.GET("/v1/cron-jobs/{accountId}/keys", { params: { path: this.account } }));
    return res.data;
  }

  /** A new key; its `api_secret` is in this answer only. */
  async createKey(key: ApiKeyCreate): Promise<CreatedApiKey> {
    const res = await this.call(
      this.raw.POST("/v1/cron-jobs/{accountId}/keys", { params: { path: this.account }, body: key }),
    );
    return res.data;
  }

  /** Revokes a key (idempotent); other isolates may accept it for up to API_KEY_CACHE_SECONDS. */
  async revokeKey(keyId: string): Promise<ApiKey> {
    const res = await this.call(
      this.raw.DELETE("/v1/cron-jobs/{accountId}/keys/{key_id}", {
        params: { path: { accountId: this.accountId, key_id: keyId } },
      }),
    );
    return res.data;
  }

  // ── Logs ───────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * One page of logs, most recent first. Without `cursor` it is the first page (with totals); pass the
   * previous page's `pagination.next_cursor` for the next one. Filters: `status`, dates, `response_code` (`500`
   * or `5xx`), `min_response_time_ms`/`max_response_time_ms`, and (one job only) `q`, a text search of bodies
   * and errors: cursor-paged, no totals, and `scan.complete` false when the server's scan budget ended the
   * request before the page was full: the page may hold fewer logs (even none) and `next_cursor` continues.
   */
  logsPage(options: LogsPageOptions & { cursor?: undefined; q?: undefined }): Promise<LogsFirstPage>;
  logsPage(options: LogsPageOptions): Promise<LogsPage>;
  logsPage(options: LogsPageOptions): Promise<LogsPage> {
    const { jobId, signal, ...query } = options;
    if (jobId !== undefined) {
      return this.call(
        this.raw.GET("/v1/cron-jobs/{accountId}/logs/{cron_job_id}", {
          params: { path: this.job(jobId), query: query as JobLogsFilter },
          signal,
        }),
      );
    }
    return this.call(
      this.raw.GET("/v1/cron-jobs/{accountId}/logs", {
        params: { path: this.account, query: query as AccountLogsFilter },
        signal,
      }),
    );
  }

  /**
   * Every page of logs, newest first, following `next_cursor` until it is null: one index range per page at
   * any depth, and logs that arrive during the walk never make it skip or repeat one.
   */
  logPages(options: LogsPageOptions): AsyncGenerator<LogsPage> {
    return cursorPages(options.cursor, (cursor) => this.logsPage({ ...options, cursor } as LogsPageOptions));
  }

  /**
   * The account's metrics for a Prometheus scrape, as the exposition text: every live job's up, state, last run,
   * runs and skips by status and reason, next run and response-time percentiles (README "Metrics").
   */
  async metrics(options: MetricsOptions = {}): Promise<string> {
    const format = options.format ?? "prometheus";
    return this.call(
      this.raw.GET("/v1/cron-jobs/{accountId}/metrics", {
        params: { path: this.account },
        headers: { Accept: METRICS_ACCEPT[format] },
        parseAs: "text",
        signal: options.signal,
      }),
    );
  }

  /** Every matching log, newest first, one at a time (pages fetched as the loop needs them). */
  async *logs(options: LogsPageOptions): AsyncGenerator<ExecutionLog> {
    for await (const page of this.logPages(options)) yield* page.data;
  }

  // ── Schedule history ───────────────────────────────────────────────────────────────────────────────

  /**
   * One page of a job's schedule history, newest first: each attempt of each slot with its state and reason, and
   * missed slots as one span entry (`kind: "span"`). Filter by `state` and a `start_date`/`end_date` range.
   */
  async runsPage(jobId: string, options: RunsPageOptions = {}): Promise<RunsPage> {
    const { signal, ...query } = options;
    const page = await this.call(
      this.raw.GET("/v1/cron-jobs/{accountId}/runs/{cron_job_id}", {
        params: { path: this.job(jobId), query },
        signal,
      }),
    );
    // openapi-fetch's Readable<> drops properties typed only `null` (a span's execution_id); the body has them.
    return page as unknown as RunsPage;
  }

  /** Every page of a job's history, newest first, following `next_cursor` until it is null. */
  runPages(jobId: string, options: RunsPageOptions = {}): AsyncGenerator<RunsPage> {
    return cursorPages(options.cursor, (cursor) => this.runsPage(jobId, { ...options, cursor }));
  }

  /** Every entry of a job's history (runs and spans), newest first, one at a time. */
  async *runs(jobId: string, options: RunsPageOptions = {}): AsyncGenerator<RunEntry> {
    for await (const page of this.runPages(jobId, options)) yield* page.data;
  }

  // ── Dead letters and replay ───────────────────────────────────────────────────────────────────────────

  /** One page of the account's dead letters (runs in state `dead`: `undelivered` or `outcome_unknown`), newest first. */
  deadLettersPage(options: CursorPageOptions = {}): Promise<DeadLettersPage> {
    const { signal, ...query } = options;
    return this.call(
      this.raw.GET("/v1/cron-jobs/{accountId}/dead-letters", { params: { path: this.account, query }, signal }),
    );
  }

  /** Every page of dead letters, newest first, following `next_cursor` until it is null. */
  deadLetterPages(options: CursorPageOptions = {}): AsyncGenerator<DeadLettersPage> {
    return cursorPages(options.cursor, (cursor) => this.deadLettersPage({ ...options, cursor }));
  }

  /** Every dead letter, newest first, one at a time. */
  async *deadLetters(options: CursorPageOptions = {}): AsyncGenerator<DeadLetter> {
    for await (const page of this.deadLetterPages(options)) yield* page.data;
  }

  /**
   * Runs the job of a past execution (a dead letter, a failure, any) again now: a new execution id, trigger
   * `replay`, `replay_of` naming the original. Answers like `runJob`: the outcome, or `status: "pending"` when the
   * first attempt had none within 25 s. With `idempotencyKey`, a retried call answers the first replay.
   */
  async replay(executionId: string, options: RequestOptions = {}): Promise<ReplayResult | ReplayPending> {
    const res = await this.call(
      this.raw.POST("/v1/cron-jobs/{accountId}/replay/{execution_id}", {
        params: { path: { accountId: this.accountId, execution_id: executionId }, header: idempotency(options) },
      }),
    );
    return res.data;
  }

  /**
   * Replays 1–100 executions in one call, through the queue (no outcome awaited): one result per id, in order,
   * `queued` with `replay_execution_id`, or `not_found` / `refused` with `detail`.
   */
  async replayMany(executionIds: string[], options: RequestOptions = {}): Promise<BulkReplayItem[]> {
    const res = await this.call(
      this.raw.POST("/v1/cron-jobs/{accountId}/replay", {
        params: { path: this.account, header: idempotency(options) },
        body: { execution_ids: executionIds },
      }),
    );
    return res.data;
  }

  // ── Deliveries (callbacks and alerts) ────────────────────────────────────────────────────────────────

  /** One page of callback and alert deliveries, newest first, filtered by `cron_job_id`, `kind`, `state`. */
  deliveriesPage(options: DeliveriesPageOptions = {}): Promise<DeliveriesPage> {
    const { signal, ...query } = options;
    return this.call(
      this.raw.GET("/v1/cron-jobs/{accountId}/deliveries", { params: { path: this.account, query }, signal }),
    );
  }

  /** Every page of matching deliveries, newest first, following `next_cursor` until it is null. */
  deliveryPages(options: DeliveriesPageOptions = {}): AsyncGenerator<DeliveriesPage> {
    return cursorPages(options.cursor, (cursor) => this.deliveriesPage({ ...options, cursor }));
  }

  /** Every matching delivery, newest first, one at a time. */
  async *deliveries(options: DeliveriesPageOptions = {}): AsyncGenerator<Delivery> {
    for await (const page of this.deliveryPages(options)) yield* page.data;
  }

  /** Sends a delivery again (same payload and target, through the queue): answers it `pending`; 409 while in flight. */
  async redeliver(deliveryId: string): Promise<RedeliveredDelivery> {
    const res = await this.call(
      this.raw.POST("/v1/cron-jobs/{accountId}/deliveries/{delivery_id}/redeliver", {
        params: { path: { accountId: this.accountId, delivery_id: deliveryId } },
      }),
    );
    return res.data;
  }

  /**
   * Starts an export (every matching log, oldest first, up to now) and hands back the response body as a
   * stream. Nothing is buffered: pipe `body` to a file, or use `exportRecords` for parsed NDJSON.
   */
  async exportLogs(options: ExportOptions = {}): Promise<LogExport> {
    const { jobId, signal, ...query } = options;
    const format = query.format ?? "ndjson";
    const init = { parseAs: "stream" as const, signal };
    const { data: body, response } = await this.send<ReadableStream<Uint8Array> | null>(
      jobId !== undefined
        ? this.raw.GET("/v1/cron-jobs/{accountId}/logs/{cron_job_id}/export", {
            params: { path: this.job(jobId), query: { ...(query as JobExportQuery), format } },
            ...init,
          })
        : this.raw.GET("/v1/cron-jobs/{accountId}/logs/export", {
            params: { path: this.account, query: { ...(query as AccountExportQuery), format } },
            ...init,
          }),
    );
    if (!body) throw new Error("the export response has no body");
    return {
      format,
      body,
      contentType: response.headers.get("Content-Type") ?? "",
      filename: attachmentFilename(response.headers.get("Content-Disposition")),
    };
  }

  /** Every matching log, oldest first, parsed from an NDJSON export as it streams in. */
  async *exportRecords(options: Omit<ExportOptions, "format"> = {}): AsyncGenerator<ExecutionLog> {
    const { body } = await this.exportLogs({ ...options, format: "ndjson" } as ExportOptions);
    yield* ndjsonValues<ExecutionLog>(body);
  }
}

/**
 * Every page from `cursor` on, following `next_cursor` until it is null: one index range per page at any depth, and
 * entries added during the walk never make it skip or repeat one. A text search's page cut short by its scan budget
 * (`scan.complete` false) may be empty and still continue.
 */
async function* cursorPages<P extends CursorPage>(
  cursor: string | undefined,
  fetchPage: (cursor: string | undefined) => Promise<P>,
): AsyncGenerator<P> {
  for (;;) {
    const page = await fetchPage(cursor);
    yield page;
    cursor = page.pagination.next_cursor ?? undefined;
    if (!cursor || (page.data.length === 0 && page.scan?.complete !== false)) return;
  }
}

/** `attachment; filename="x.csv"` → `x.csv` (RFC 6266; edgecron sends a plain ASCII quoted name). */
function attachmentFilename(disposition: string | null): string | null {
  const m = disposition ? /filename="?([^";]+)"?/i.exec(disposition) : null;
  return m?.[1] ?? null;
}

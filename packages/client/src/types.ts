/**
 * Named types for the SDK's callers, derived from the generated `paths` (not from component names, which the
 * OpenAPI document is free to rename): what a route takes and what it answers is the contract.
 */
import type { paths } from "./schema.js";

type Json<R> = R extends { content: { "application/json": infer T } } ? T : never;
type Query<Op> = Op extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
type Body<Op> = Op extends { requestBody?: infer B } ? Json<NonNullable<B>> : never;

type CreateOp = paths["/v1/cron-jobs/{accountId}/create"]["post"];
type ListOp = paths["/v1/cron-jobs/{accountId}/list"]["get"];
type DetailsOp = paths["/v1/cron-jobs/{accountId}/details/{cron_job_id}"]["get"];
type UpdateOp = paths["/v1/cron-jobs/{accountId}/update/{cron_job_id}"]["patch"];
type DeleteOp = paths["/v1/cron-jobs/{accountId}/delete/{cron_job_id}"]["delete"];
type CloneOp = paths["/v1/cron-jobs/{accountId}/clone/{cron_job_id}"]["post"];
type TriggerOp = paths["/v1/cron-jobs/{accountId}/trigger/{cron_job_id}"]["post"];
type JobLogsOp = paths["/v1/cron-jobs/{accountId}/logs/{cron_job_id}"]["get"];
type AccountLogsOp = paths["/v1/cron-jobs/{accountId}/logs"]["get"];
type JobExportOp = paths["/v1/cron-jobs/{accountId}/logs/{cron_job_id}/export"]["get"];
type AccountExportOp = paths["/v1/cron-jobs/{accountId}/logs/export"]["get"];
type MetricsOp = paths["/v1/cron-jobs/{accountId}/metrics"]["get"];
type StatsOp = paths["/v1/cron-jobs/{accountId}/stats/{cron_job_id}"]["get"];
type ListKeysOp = paths["/v1/cron-jobs/{accountId}/keys"]["get"];
type CreateKeyOp = paths["/v1/cron-jobs/{accountId}/keys"]["post"];
type PreviewOp = paths["/v1/cron-jobs/{accountId}/schedule/preview"]["post"];
type RunsOp = paths["/v1/cron-jobs/{accountId}/runs/{cron_job_id}"]["get"];
type DeadLettersOp = paths["/v1/cron-jobs/{accountId}/dead-letters"]["get"];
type ReplayOp = paths["/v1/cron-jobs/{accountId}/replay/{execution_id}"]["post"];
type BulkReplayOp = paths["/v1/cron-jobs/{accountId}/replay"]["post"];
type DeliveriesOp = paths["/v1/cron-jobs/{accountId}/deliveries"]["get"];
type RedeliverOp = paths["/v1/cron-jobs/{accountId}/deliveries/{delivery_id}/redeliver"]["post"];

/** A cron job as the API returns it. */
export type Job = Json<DetailsOp["responses"][200]>["data"];
/** The body of `POST …/create`. */
export type JobCreate = Body<CreateOp>;
/** The optional body of `POST …/clone/{id}`: the copy's name and whether it starts active. */
export type JobClone = Body<CloneOp>;
/** The body of `PATCH …/update/{id}`: every field optional. */
export type JobUpdate = Body<UpdateOp>;
/** `GET …/list` query: page, limit, is_active, tags, search. */
export type JobListQuery = Query<ListOp>;
/** One page of `GET …/list`. */
export type JobListPage = Json<ListOp["responses"][200]>;
/** `DELETE …/delete/{id}` answer's data. */
export type DeletedJob = Json<DeleteOp["responses"][200]>["data"];
/** `POST …/trigger/{id}` answer's data: the execution that ran. */
export type TriggerResult = Json<TriggerOp["responses"][200]>["data"];
/**
 * `POST …/trigger/{id}` answered 202: no outcome within the server's bounded wait (25 s); the run continues and its
 * log (id = execution_id) arrives later.
 */
export type TriggerPending = Json<TriggerOp["responses"][202]>["data"];

/** One execution log. */
export type ExecutionLog = Json<JobLogsOp["responses"][200]>["data"][number];
/** One page of logs (page-number or cursor pagination; both carry `next_cursor`). */
export type LogsPage = Json<JobLogsOp["responses"][200]>;
/** The first page of logs without `cursor` or `q`: page-number pagination, with `total_items` and `total_pages`. */
export type LogsFirstPage = LogsPage & { pagination: Extract<LogsPage["pagination"], { total_items: number }> };
/** An execution status: success, failure, error, timeout. */
export type ExecutionStatus = ExecutionLog["status"];
/** Filters of the per-job logs endpoint (without paging). */
export type JobLogsFilter = Omit<Query<JobLogsOp>, "page" | "cursor" | "limit">;
/** Filters of the account-wide logs endpoint (without paging): adds `cron_job_id` and `tags`. */
export type AccountLogsFilter = Omit<Query<AccountLogsOp>, "page" | "cursor" | "limit">;
/** Export filters (per job / account-wide) including `format`. */
export type JobExportQuery = Query<JobExportOp>;
export type AccountExportQuery = Query<AccountExportOp>;
export type ExportFormat = NonNullable<JobExportQuery["format"]>;
/** A text search's progress (`q` only): whether the scan reached the range's end or its budget ended it. */
export type LogsScan = NonNullable<LogsPage["scan"]>;

/** `GET …/metrics`' exposition formats, chosen by `Accept`: Prometheus text 0.0.4 or OpenMetrics 1.0. */
export type MetricsFormat = "prometheus" | "openmetrics";
/** The 200 content types `GET …/metrics` answers. */
export type MetricsContentType = keyof NonNullable<MetricsOp["responses"][200]["content"]>;

/** `GET …/stats/{id}` query and answer's data. */
export type StatsQuery = Query<StatsOp>;
export type JobStats = Json<StatsOp["responses"][200]>["data"];

/** An API key as listed (never its secret). */
export type ApiKey = Json<ListKeysOp["responses"][200]>["data"][number];
/** The body of `POST …/keys`: name, scope (`full` | `read_only`), expires_at. */
export type ApiKeyCreate = Body<CreateKeyOp>;
/** A created key: the listed fields plus `api_secret`, shown this once. */
export type CreatedApiKey = Json<CreateKeyOp["responses"][201]>["data"];
/** The body of `POST …/schedule/preview` and its answer's data. */
export type SchedulePreviewRequest = Body<PreviewOp>;
export type SchedulePreview = Json<PreviewOp["responses"][200]>["data"];

/** `catchup` of a job: what runs after missed ticks (`latest`: the newest missed slot once; `none`: nothing). */
export type CatchupPolicy = Job["catchup"];

/** One entry of a job's schedule history: a run (one attempt of one slot) or a span of slots recorded together. */
export type RunEntry = Json<RunsOp["responses"][200]>["data"][number];
/** One attempt of one slot (or of a manual run), with its state and the execution id of its log once it has one. */
export type Run = Extract<RunEntry, { kind: "run" }>;
/** Consecutive slots recorded together (skipped, reason `missed`): first and last slot and how many. */
export type RunSpan = Extract<RunEntry, { kind: "span" }>;
/** One page of a job's schedule history, newest first. */
export type RunsPage = Json<RunsOp["responses"][200]>;
/** Filters of the history (without paging): `state`, `start_date`, `end_date`. */
export type RunsFilter = Omit<Query<RunsOp>, "cursor" | "limit">;
/** `queued | running | awaiting | done | skipped | dead`. */
export type RunState = RunEntry["state"];
/** Why a run was skipped (overlap, paused, deleted, missed, calendar, maintenance) or dead (undelivered, outcome_unknown). */
export type RunReason = NonNullable<RunEntry["reason"]>;

/** A run closed without an outcome (state `dead`), as `GET …/dead-letters` lists it. */
export type DeadLetter = Json<DeadLettersOp["responses"][200]>["data"][number];
/** One page of dead letters, newest first; `pagination.next_cursor` continues. */
export type DeadLettersPage = Json<DeadLettersOp["responses"][200]>;
/** `POST …/replay/{execution_id}` answered 200: the replay's first attempt and its outcome. */
export type ReplayResult = Json<ReplayOp["responses"][200]>["data"];
/** `POST …/replay/{execution_id}` answered 202: no outcome within 25 s; the log (id = execution_id) comes later. */
export type ReplayPending = Json<ReplayOp["responses"][202]>["data"];
/** One id's result of `POST …/replay` (bulk): `queued` with the new execution id, or `not_found` / `refused`. */
export type BulkReplayItem = Json<BulkReplayOp["responses"][200]>["data"][number];

/** One callback or alert delivery (`GET …/deliveries`). */
export type Delivery = Json<DeliveriesOp["responses"][200]>["data"][number];
/** One page of deliveries, newest first. */
export type DeliveriesPage = Json<DeliveriesOp["responses"][200]>;
/** Filters of `GET …/deliveries` (without paging): `cron_job_id`, `kind`, `state`. */
export type DeliveriesFilter = Omit<Query<DeliveriesOp>, "page" | "cursor" | "limit">;
export type DeliveryKind = NonNullable<DeliveriesFilter["kind"]>;
export type DeliveryState = Delivery["state"];
/** `POST …/deliveries/{id}/redeliver` answer's data: the delivery, `pending` again. */
export type RedeliveredDelivery = Json<RedeliverOp["responses"][202]>["data"];

/** An RFC 9457 problem document as every error response carries it. */
export type Problem = DetailsOp["responses"][404]["content"]["application/problem+json"];

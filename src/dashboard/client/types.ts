/** API shapes from the client package's generated types, so an API change breaks the typecheck; type-only. */
import type { components, operations } from "../../../packages/client/src/schema.js";

type Schemas = components["schemas"];
type QueryOf<O extends keyof operations> = NonNullable<operations[O]["parameters"]["query"]>;

export type Problem = Schemas["Problem"];
export type FieldError = NonNullable<Problem["errors"]>[number];
export type Job = Schemas["CronJob"];
/**
 * docs/API-NOTES.md "Job states": paused by the user, disabled by the alert policy, completed when the schedule ended.
 */
export type JobState = Job["state"];
export type ScheduleConfig = Schemas["ScheduleConfig"];
/** schedule_config as sent: the stored fields, every one optional. */
export type ScheduleConfigInput = Schemas["ScheduleConfigInput"];
/** Sunday = "0"; the API stores weekdays as strings. */
export type Weekday = NonNullable<ScheduleConfig["days_of_week"]>[number];
export type RetryConfig = Schemas["RetryConfig"];
export type Callbacks = Schemas["Callbacks"];
export type SuccessRules = Schemas["SuccessRules"];
export type AlertPolicy = Schemas["AlertPolicy"];
/** A webhook, Slack or Discord URL is a bearer credential: the API shows it as `https://host/…[redacted:…]`. */
export type AlertChannel = Schemas["AlertChannel"];
export type UrlChannelType = Exclude<AlertChannel["type"], "email">;
export type PagePagination = Schemas["Pagination"];
/** The job's SLO now (GET /stats/{id}'s `slo`), null when the job has none. */
export type SloStatus = Schemas["SloStatus"];
export type ExecutionLog = Schemas["ExecutionLog"];
/** GET /logs and /logs/{id}: page or cursor pagination, and `scan` with a text search (`q`). */
export type LogsPage = Schemas["ExecutionLogsPage"];
/** Every query parameter of the two logs routes (`q` is the job route's, `cron_job_id` and `tags` the account's). */
export type LogsQuery = QueryOf<"listCronJobLogs"> & QueryOf<"listAccountLogs">;
/** Every log status, in the order the filters and charts show them. */
export const STATUSES = ["success", "failure", "error", "timeout"] as const satisfies readonly ExecutionLog["status"][];
export type Status = (typeof STATUSES)[number];
export type ApiKey = Schemas["ApiKey"];
export type AlertDelivery = Schemas["AlertDelivery"];
export type AlertRecipient = Schemas["AlertRecipient"];
/** One entry of a job's schedule history: a run (an attempt of a slot) or a span of slots recorded together. */
export type RunEntry = Schemas["CronJobRunEntry"];
/** Every run state, in the order the history's filter lists them. */
export const RUN_STATES = [
  "queued",
  "running",
  "awaiting",
  "done",
  "skipped",
  "dead",
] as const satisfies readonly RunEntry["state"][];
/** A run closed without an outcome (state dead), as GET /dead-letters lists it. */
export type DeadLetter = Schemas["DeadLetter"];
/** POST /replay/{id}: the replay's outcome (200), or pending (202) while it continues. */
export type ReplayAnswer = Schemas["ReplayResult"]["data"] | Schemas["ReplayPending"]["data"];
export type BulkReplayItem = Schemas["BulkReplayItem"];
/** One callback or alert delivery (GET /deliveries). */
export type Delivery = Schemas["Delivery"];
export type DeliveryState = Delivery["state"];
export type DeliveriesPagination = Schemas["DeliveriesPagePagination"];

/** What the dashboard keeps in session storage; not an API shape. */
export interface Credentials {
  accountId: string;
  apiKey: string;
  apiSecret: string;
}
export type Calendar = Schemas["Calendar"];
export type CalendarList = Schemas["CalendarList"];
export type Recurring = Schemas["RecurringExclusion"];
export type MaintenanceWindow = Schemas["MaintenanceWindow"];
export type MaintenanceWindowList = Schemas["MaintenanceWindowList"];
export type Monitor = Schemas["Monitor"];
export type MonitorList = Schemas["MonitorList"];

/**
 * The API shapes the dashboard reads, as the public API documents them (/openapi.json). Hand-written because the
 * browser code must not import the Worker's modules; only the fields the dashboard uses are listed.
 */
export const STATUSES = ["success", "failure", "error", "timeout"] as const;
export type Status = (typeof STATUSES)[number];

export interface FieldError {
  field: string;
  in: "path" | "query" | "header" | "body";
  message: string;
}

export interface Problem {
  status: number;
  detail: string;
  errors?: FieldError[];
}

export interface ScheduleConfig {
  repeat_type?: "hourly" | "days" | "weeks" | "months" | "years";
  repeat_every?: number;
  time?: string;
  days_of_week?: string[];
  day_of_month?: number;
  end_type?: "never" | "on" | "after";
  end_date?: string;
  end_occurrences?: number;
  cron?: string;
  /** A one-off job's instant (schedule_config.run_at). */
  run_at?: string;
  start_date?: string;
}

export interface Job {
  id: string;
  name: string;
  description: string | null;
  endpoint_url: string;
  schedule: string;
  method: string;
  /** Secret values are redaction tokens `[redacted:<hash>]` (secrets.ts); sending one back keeps the value. */
  headers: Record<string, string>;
  body: string | null;
  /** Header names whose values are secret besides the built-in ones (Authorization, names with token, key…). */
  secret_headers: string[];
  /** Query parameters whose values are secret in endpoint_url and the callback URLs. */
  secret_query_params: string[];
  body_is_secret: boolean;
  is_active: boolean;
  /** The API's state (README "Job states"); is_active is state == "active". */
  state: JobState;
  /** When and why the alert policy disabled the job (auto_disable_after); null unless state is disabled. */
  disabled_at: string | null;
  disabled_reason: string | null;
  timezone: string;
  tags: string[];
  next_run_at: string | null;
  next_runs?: string[];
  last_run_at: string | null;
  last_run_status: string | null;
  total_executions: number;
  successful_executions: number;
  failed_executions: number;
  max_retries: number;
  retry_delay_seconds: number;
  timeout_seconds: number;
  success_callback_url: string | null;
  failure_callback_url: string | null;
  schedule_config: ScheduleConfig;
  /** Jitter window in seconds (0: none). */
  jitter_seconds?: number;
  overlap_policy?: "allow" | "skip" | "queue";
  /** Slots skipped because the previous run was unfinished (overlap_policy skip). */
  skipped_runs?: number;
  retry_config: RetryConfig;
  callbacks: Callbacks;
  alerts: AlertPolicy;
  success_rules: SuccessRules;
  /** Whether requests to endpoint_url carry X-Edgecron-Request-Signature. */
  request_signature: boolean;
}

export interface RetryConfig {
  max_retries: number;
  retry_delay_seconds: number;
  timeout_seconds: number;
  backoff: "fixed" | "exponential";
  /** Only a failure whose status code is in this list (codes and ranges) is retried. */
  retry_on_status_codes: string;
  retry_on_timeout: boolean;
  retry_on_error: boolean;
}

export interface Callbacks {
  success_url: string | null;
  failure_url: string | null;
  notify: "attempt" | "final" | "on_change";
}

/** When a response counts as success; a log's decided_by names the rule that decided. */
export interface SuccessRules {
  status_codes: string;
  body_contains: string | null;
  body_not_contains: string | null;
}

export interface AlertPolicy {
  channels: AlertChannel[];
  after_consecutive_failures: number | null;
  remind_every_minutes: number | null;
  on_recovery: boolean;
  slow_run: { threshold_ms: number; measure: "run" | "p95"; window: number } | null;
  auto_disable_after: number | null;
}

export type UrlChannelType = "webhook" | "slack" | "discord";
/** A webhook, Slack or Discord URL is a bearer credential: the API shows it as `https://host/…[redacted:…]`. */
export type AlertChannel = { type: UrlChannelType; url: string } | { type: "email"; to: string };

export interface PagePagination {
  page: number;
  limit: number;
  total_items: number;
  total_pages: number;
}

export interface ExecutionLog {
  id: string;
  cron_job_id: string;
  executed_at: string;
  status: Status;
  response_code: number | null;
  response_body: string | null;
  error_message: string | null;
  response_time_ms: number | null;
  retry_attempt: number;
  /** The response's allow-listed headers; null when no response came. */
  response_headers?: Record<string, string> | null;
  /** The success rule that decided the status; null for an error or timeout. */
  decided_by?: "status_codes" | "body_contains" | "body_not_contains" | null;
}

export interface ApiKey {
  id: string;
  name: string;
  scope: "full" | "read_only";
  status: "active" | "revoked" | "expired";
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface Credentials {
  accountId: string;
  apiKey: string;
  apiSecret: string;
}

/** README "Job states": paused by the user, disabled by the alert policy, completed when the schedule ended. */
export type JobState = "active" | "paused" | "disabled" | "completed";

/** GET /alerts/{cron_job_id}: one alert on one channel. `target` is redacted by the API (a URL is a credential). */
export interface AlertDelivery {
  id: string;
  execution_id: string;
  event: "failure" | "reminder" | "recovery" | "slow" | "disabled" | "test";
  channel: "webhook" | "slack" | "discord" | "email";
  target: string;
  status: "pending" | "delivered" | "failed" | "unconfirmed" | "refused";
  attempts: number;
  last_error: string | null;
  fired_at: string;
  delivered_at: string | null;
}

/** GET /alert-recipients: an e-mail address and its double opt-in state. */
export interface AlertRecipient {
  email: string;
  status: "pending" | "confirmed";
  created_at: string;
  confirmation_sent_at: string | null;
  confirmed_at: string | null;
}

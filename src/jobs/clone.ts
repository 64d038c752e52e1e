import type { CronJobRow } from "../db/schema";
import type { CreateJobInput } from "./schemas";
import { serialiseJob } from "./serialise";

const NAME_MAX = 200;

/** A create request copying `row` (in clear): same configuration, a new name, paused by default. */
export function cloneInput(row: CronJobRow, options: { name?: string; is_active?: boolean }): CreateJobInput {
  const job = serialiseJob(row);
  const name = options.name ?? `${job.name.slice(0, NAME_MAX - " (copy)".length)} (copy)`;
  return {
    name,
    description: job.description,
    endpoint_url: job.endpoint_url,
    method: job.method,
    headers: job.headers,
    body: job.body,
    secret_headers: job.secret_headers,
    secret_query_params: job.secret_query_params,
    body_is_secret: job.body_is_secret,
    timezone: job.timezone,
    schedule_config: job.schedule_config,
    tags: job.tags,
    alerts: job.alerts,
    request_signature: job.request_signature,
    jitter_seconds: job.jitter_seconds,
    overlap_policy: job.overlap_policy,
    catchup: job.catchup,
    max_lateness_seconds: job.max_lateness_seconds,
    completion: job.completion,
    is_active: options.is_active ?? false,
    retry_config: job.retry_config,
    callbacks: job.callbacks,
    success_rules: job.success_rules,
  };
}

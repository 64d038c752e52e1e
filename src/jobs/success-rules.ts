/**
 * A job's success rules re-decide a response the executor judged by 2xx, only between `success` and `failure`;
 * `error` and `timeout` pass through. Order: status_codes, body_contains, body_not_contains; the first failing
 * rule decides a failure, the last rule checked a success.
 */
import type { CronJobRow, DecidedBy } from "../db/schema";
import type { ExecutionResult } from "../lib/execution";
import { failureMessage } from "../lib/execution-results";
import { inStatusRanges } from "./status-ranges";
import { RETRY_ON_DEFAULTS, SUCCESS_RULE_DEFAULTS, type SuccessRules } from "./success-rules.schemas";

/** The job's rules with defaults applied (a null column is the default: 2xx is success). */
export function successRulesOf(job: Pick<CronJobRow, "successRules">): SuccessRules {
  const stored = job.successRules ? (JSON.parse(job.successRules) as Partial<SuccessRules>) : {};
  return { ...SUCCESS_RULE_DEFAULTS, ...stored };
}

/** The result with its status decided by the job's rules and `decidedBy` set (null for an error or timeout). */
export function judge(job: Pick<CronJobRow, "successRules">, result: ExecutionResult): ExecutionResult {
  if (result.responseCode === null || (result.status !== "success" && result.status !== "failure")) {
    return { ...result, decidedBy: null };
  }
  const rules = successRulesOf(job);
  const code = result.responseCode;
  const body = result.responseBody ?? "";
  const fail = (decidedBy: DecidedBy, errorMessage: string): ExecutionResult => ({
    ...result,
    status: "failure",
    errorMessage,
    decidedBy,
  });
  // A failure keeps the executor's own explanation (e.g. a cross-origin redirect it would not follow).
  if (!inStatusRanges(rules.status_codes, code)) {
    return fail("status_codes", (result.status === "failure" && result.errorMessage) || failureMessage(code));
  }
  if (rules.body_contains !== null && !body.includes(rules.body_contains)) {
    return fail("body_contains", `Response body does not contain ${JSON.stringify(rules.body_contains)}`);
  }
  if (rules.body_not_contains !== null && body.includes(rules.body_not_contains)) {
    return fail("body_not_contains", `Response body contains ${JSON.stringify(rules.body_not_contains)}`);
  }
  const decidedBy: DecidedBy =
    rules.body_not_contains !== null
      ? "body_not_contains"
      : rules.body_contains !== null
        ? "body_contains"
        : "status_codes";
  return { ...result, status: "success", errorMessage: null, decidedBy };
}

/**
 * Whether an unsuccessful result is worth another attempt under the job's retry_config (retry_on_status_codes,
 * retry_on_timeout, retry_on_error; by default every unsuccessful outcome is). Retries left are the caller's
 * concern.
 */
export function isRetried(job: Pick<CronJobRow, "retryConfig">, result: ExecutionResult): boolean {
  if (result.status === "success") return false;
  const retry = { ...RETRY_ON_DEFAULTS, ...(JSON.parse(job.retryConfig) as Partial<typeof RETRY_ON_DEFAULTS>) };
  if (result.status === "timeout") return retry.retry_on_timeout;
  if (result.status === "error") return retry.retry_on_error;
  return result.responseCode === null || inStatusRanges(retry.retry_on_status_codes, result.responseCode);
}

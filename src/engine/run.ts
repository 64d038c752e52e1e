import { alertPlan } from "../alerts/fire";
import { mutedAt } from "../calendars/mute";
import type { CronJobRow, RunRow } from "../db/schema";
import { MasterKeyMissingError, openJobInClear, redactEchoes, UnsealError } from "../jobs/secrets";
import { isRetried, judge } from "../jobs/success-rules";
import type { ExecutionResult } from "../lib/execution";
import { errorResult } from "../lib/execution-results";
import { truncateUtf8 } from "../lib/truncate";
import { readBurnInput } from "../logs/slo";
import { activeSigningSecrets } from "../signing/signing-secrets";
import { callbackDeliveryStatement, callbackEntry } from "./callbacks";
import { armCompletion, COMPLETION_URL_HEADER, parkAwaiting } from "./completion";
import type { EngineDeps } from "./deps";
import { sendFollowUps, sendPendingFollowUps } from "./follow-ups";
import { type NewRun, nextAttempt, runId } from "./ledger";
import { recordAttempt } from "./record";
import { requestHeaders } from "./request-identity";
import { MAX_RESPONSE_HEADER_CHARS } from "./response-headers";
import { retryDelaySeconds } from "./retry";
import type { DeadReason } from "./unknown-outcome";

export interface RunOutcome {
  executionId: string;
  executedAt: number;
  result: ExecutionResult;
  /** Set when another attempt follows, after this many seconds. */
  retryInSeconds: number | null;
  /** False when the log already existed (a duplicate recording): nothing was written then. */
  recorded: boolean;
  /** True when the answer was a completion-mode run's success: its outcome comes later (src/engine/completion.ts). */
  awaiting?: boolean;
}

/** Executes a leased attempt — one path for scheduled, retried and manual runs — then closes it. */
export async function executeLeased(deps: EngineDeps, job: CronJobRow, run: RunRow): Promise<RunOutcome> {
  const executedAt = deps.now();
  // Secrets are opened here, right before the request, and never leave this function.
  let plain: CronJobRow;
  let values: Map<string, string>;
  try {
    ({ plain, values } = await openJobInClear(deps.cfg.secrets, job));
  } catch (err) {
    if (!(err instanceof MasterKeyMissingError || err instanceof UnsealError)) throw err;
    console.error(JSON.stringify({ event: "master_key_missing", jobId: job.id, reason: err.message }));
    const refused = errorResult(`master_key_missing: this job's secrets cannot be decrypted (${err.message})`, null);
    return closeAttempt(deps, job, run, executedAt, refused);
  }
  const request = { method: plain.method, endpointUrl: plain.endpointUrl, body: plain.body };
  const secrets = plain.requestSignature && URL.canParse(plain.endpointUrl) ? await signingSecrets(deps, job) : [];
  const headers = await requestHeaders(
    JSON.parse(plain.headers) as Record<string, string>,
    run,
    request,
    secrets,
    Math.floor(executedAt / 1000),
  );
  const armed = await armCompletion(deps, job, run, executedAt);
  const result = await deps.executor.execute({
    ...request,
    executionId: run.id,
    headers: armed ? { ...headers, [COMPLETION_URL_HEADER]: armed.url } : headers,
    timeoutSeconds: job.timeoutSeconds,
  });
  // The job's success rules re-decide a response between success and failure (src/jobs/success-rules.ts).
  const judged = withoutEchoedSecrets(judge(job, result), values);
  // A completion-mode run's success is not its outcome: it awaits its completion POST or deadline.
  if (armed && judged.status === "success") {
    await parkAwaiting(deps, run);
    return { executionId: run.id, executedAt, result: judged, retryInSeconds: null, recorded: false, awaiting: true };
  }
  return closeAttempt(deps, job, run, executedAt, judged);
}

/** The result with echoes of the job's secrets replaced by tokens (body, kept headers, errors), within the caps. */
function withoutEchoedSecrets(result: ExecutionResult, values: Map<string, string>): ExecutionResult {
  if (values.size === 0) return result;
  const redact = (text: string | null) => (text === null ? null : redactEchoes(text, values));
  const body = redact(result.responseBody);
  const headers = result.responseHeaders;
  return {
    ...result,
    responseBody: body === null ? null : truncateUtf8(body),
    errorMessage: redact(result.errorMessage),
    responseHeaders: headers
      ? Object.fromEntries(
          Object.entries(headers).map(([k, v]) => [k, redactEchoes(v, values).slice(0, MAX_RESPONSE_HEADER_CHARS)]),
        )
      : headers,
  };
}

/** The account's active signing secrets for a request signature (none if the account is gone). */
async function signingSecrets(deps: EngineDeps, job: CronJobRow): Promise<string[]> {
  return (await activeSigningSecrets(deps.db, job.accountId, deps.now())) ?? [];
}

/**
 * Records the outcome and follow-ups (next attempt, callback) in one batch, then sends; `retry: false` closes it,
 * `dead` records a run closed without an outcome (the dead-letter path) as `dead` with that reason.
 */
export async function closeAttempt(
  deps: EngineDeps,
  job: CronJobRow,
  run: RunRow,
  executedAt: number,
  result: ExecutionResult,
  opts: { retry: boolean; dead?: DeadReason } = { retry: true },
): Promise<RunOutcome> {
  const retryInSeconds =
    opts.retry && isRetried(job, result) && run.attempt < job.maxRetries
      ? retryDelaySeconds(job, run.attempt, result)
      : null;
  const next: NewRun | null =
    retryInSeconds === null
      ? null
      : {
          ...nextAttempt(run),
          accountId: run.accountId,
          origin: run.origin,
          replayOf: run.replayOf,
          plannedAt: executedAt + retryInSeconds * 1000,
          sentAt: null,
          now: executedAt,
        };
  const facts = { executionId: run.id, executedAt, attempt: run.attempt, result, nextRetryAt: next?.plannedAt ?? null };
  const callback = callbackEntry(job, facts);
  // The alert policy's follow-ups of a final outcome (src/alerts/fire.ts), written in the same batch.
  const planned = await alertPlan(deps.db, job, facts, {
    run,
    dead: opts.dead ?? null,
    readBurn: (jobId, slo, now) => readBurnInput(deps.db, jobId, slo, now),
  });
  // A `mute` maintenance window over the slot (src/calendars): the run is recorded, its alerts are not sent.
  const alerts =
    planned.entries.length > 0 && (await mutedAt(deps.db, job, run.origin === "schedule" ? run.slot : executedAt))
      ? { entries: [], statements: () => [] }
      : planned;
  const { recorded, entries } = await recordAttempt(deps.db, {
    run,
    executedAt,
    result,
    next,
    callbacks: [...(callback ? [callback] : []), ...alerts.entries],
    // The callback's delivery row is written exactly when its outbox entry is, like the alerts' rows.
    statements: (newer, logMissing) => [
      ...(callback ? [callbackDeliveryStatement(deps.db, callback, newer, logMissing)] : []),
      ...alerts.statements(newer, logMissing),
    ],
    dead: opts.dead ?? null,
  });
  if (recorded) await sendFollowUps(deps, next ? [{ ...next, id: runId(next) }] : [], entries);
  else await sendPendingFollowUps(deps, run);
  return { executionId: run.id, executedAt, result, retryInSeconds, recorded };
}

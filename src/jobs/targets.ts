import type { FieldError } from "../lib/field-error";
import { refusedTargetReason } from "../lib/target-guard";
import type { CreateJobInput, UpdateJobInput } from "./schemas";

/**
 * Judges the URLs a job will call (endpoint, callbacks, webhook alert channels) with the executor's guard
 * (lib/target-guard.ts) at create and update, so a job that could only fail "Refused target" is a 400 per field.
 * Only sent fields are checked. Not a schema refinement: ALLOW_PRIVATE_TARGETS comes from the request's env.
 */
export function targetErrors(input: CreateJobInput | UpdateJobInput, allowPrivateTargets: boolean): FieldError[] {
  const urls: Array<[field: string, url: string | null | undefined]> = [
    ["endpoint_url", input.endpoint_url],
    ["callbacks.success_url", input.callbacks?.success_url],
    ["callbacks.failure_url", input.callbacks?.failure_url],
    ...(input.alerts?.channels ?? []).map((channel, i): [string, string | undefined] => [
      `alerts.channels.${i}.url`,
      "url" in channel ? channel.url : undefined,
    ]),
  ];
  const errors: FieldError[] = [];
  for (const [field, url] of urls) {
    if (!url) continue;
    const reason = refusedTargetReason(new URL(url), allowPrivateTargets);
    if (reason)
      errors.push({ field, in: "body", message: `is not allowed: ${reason.replace(/^Refused target: /, "")}` });
  }
  return errors;
}

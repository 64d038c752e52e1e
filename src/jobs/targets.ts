import type { FieldError } from "../lib/field-error";
import { refusedTargetReason } from "../lib/target-guard";
import type { CreateJobInput, UpdateJobInput } from "./schemas";

/**
 * The URLs a job will call — endpoint_url, both callback URLs and its webhook/Slack/Discord alert channels —
 * judged by the executor's own guard (lib/target-guard.ts) when a job is created or updated, so a job that could
 * only ever fail with "Refused target" is refused at the door instead (400 naming each field, as the schema names
 * it: `alerts.channels.0.url`). Only the fields a request sends are checked: stored ones passed this check.
 * ALLOW_PRIVATE_TARGETS lets loopback through, nothing else (target-guard.ts).
 *
 * Why a function the route calls and not a refinement inside the body schema: the policy comes from the
 * deployment's env (ALLOW_PRIVATE_TARGETS), which only the request context carries, while the schemas are static
 * module-level objects shared with the OpenAPI document. The route passes config(c.env) in.
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

import type { FieldError } from "../lib/field-error";
import { refusedTargetReason } from "../lib/target-guard";

const at = (v: unknown, key: string): unknown =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;

/**
 * Judges the URLs a job will call (endpoint, callbacks, webhook alert channels) with the executor's guard
 * (lib/target-guard.ts) at create and update, so a job that could only fail "Refused target" is a 400 per field.
 * Only sent fields are checked. Not a schema refinement: ALLOW_PRIVATE_TARGETS comes from the request's env. Takes
 * the body as sent too, so a body failing its schema still has its URLs judged in the same 400.
 */
export function targetErrors(input: unknown, allowPrivateTargets: boolean): FieldError[] {
  const channels = at(at(input, "alerts"), "channels");
  const urls: Array<[field: string, url: unknown]> = [
    ["endpoint_url", at(input, "endpoint_url")],
    ["callbacks.success_url", at(at(input, "callbacks"), "success_url")],
    ["callbacks.failure_url", at(at(input, "callbacks"), "failure_url")],
    ...(Array.isArray(channels) ? channels : []).map((ch, i): [string, unknown] => [
      `alerts.channels.${i}.url`,
      at(ch, "url"),
    ]),
  ];
  const errors: FieldError[] = [];
  for (const [field, url] of urls) {
    if (typeof url !== "string" || !URL.canParse(url)) continue;
    const reason = refusedTargetReason(new URL(url), allowPrivateTargets);
    if (reason)
      errors.push({ field, in: "body", message: `is not allowed: ${reason.replace(/^Refused target: /, "")}` });
  }
  return errors;
}

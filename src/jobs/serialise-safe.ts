import type { CronJobRow } from "../db/schema";

/** A job whose stored row cannot be read: enough to find it and delete or fix it. */
export interface UnreadableJob {
  id: string;
  name: string;
  error: string;
}

type Shape = "object" | "array" | "object or null";

/** The row's JSON columns and the shape serialising expects of each (src/db/schema.ts). */
const JSON_COLUMNS: ReadonlyArray<readonly [column: string, key: keyof CronJobRow, shape: Shape]> = [
  ["headers", "headers", "object"],
  ["schedule_config", "scheduleConfig", "object"],
  ["retry_config", "retryConfig", "object"],
  ["callbacks", "callbacks", "object"],
  ["tags", "tags", "array"],
  ["secret_headers", "secretHeaders", "array"],
  ["secret_query_params", "secretQueryParams", "array"],
  ["alert_policy", "alertPolicy", "object or null"],
  ["success_rules", "successRules", "object or null"],
];

/** The first JSON column not valid for its shape, and what is wrong; null if none. */
export function unreadableColumn(row: CronJobRow): { column: string; problem: string } | null {
  for (const [column, key, shape] of JSON_COLUMNS) {
    const stored = row[key];
    if (stored === null && shape === "object or null") continue;
    if (typeof stored !== "string") return { column, problem: "is missing" };
    let value: unknown;
    try {
      value = JSON.parse(stored);
    } catch {
      return { column, problem: "is not valid JSON" };
    }
    const ok =
      shape === "array" ? Array.isArray(value) : typeof value === "object" && value !== null && !Array.isArray(value);
    if (!ok) return { column, problem: shape === "array" ? "is not a JSON array" : "is not a JSON object" };
  }
  return null;
}

/**
 * `serialise(row)`, or id, name and `error` for an unreadable row, so one corrupt row never fails a list. Logs
 * the job id and column, never the value (it may be secret). The response schema documents this form.
 */
export async function serialiseJobSafely<T>(
  row: CronJobRow,
  serialise: (row: CronJobRow) => T | Promise<T>,
): Promise<T> {
  let bad = unreadableColumn(row);
  if (!bad) {
    try {
      return await serialise(row);
    } catch (e) {
      // A JSON.parse message quotes the input: only the error's name is logged.
      bad = { column: "", problem: e instanceof Error ? e.name : "unknown error" };
    }
  }
  console.error("stored job is unreadable", { job_id: row.id, column: bad.column || null, problem: bad.problem });
  const what = bad.column ? `${bad.column} ${bad.problem}` : "a stored value has an unexpected form";
  const unreadable: UnreadableJob = { id: row.id, name: row.name, error: `stored job is unreadable: ${what}` };
  return unreadable as T;
}

import type { SerialisedLog } from "./serialise";

/** Export formats: one serialised log per NDJSON line or CSV record, the fields of the JSON object. */
export type ExportFormat = "ndjson" | "csv";

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  ndjson: "application/x-ndjson",
  csv: "text/csv; charset=utf-8",
};

const COLUMNS = [
  "id",
  "execution_id",
  "cron_job_id",
  "executed_at",
  "status",
  "response_code",
  "response_body",
  "error_message",
  "response_time_ms",
  "retry_attempt",
  "scheduled_at",
  "trigger",
  "response_headers",
  "decided_by",
] as const satisfies ReadonlyArray<keyof SerialisedLog>;

/** One RFC 4180 field (quoted when needed, quotes doubled); null is empty and "" is `""`, so they stay distinct. */
export function csvField(value: string | number | null): string {
  if (value === null) return "";
  const s = String(value);
  return s === "" || /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvHeader = (): string => `${COLUMNS.join(",")}\r\n`;

/** A field's CSV text: objects (response_headers) as their JSON. */
const csvValue = (v: SerialisedLog[(typeof COLUMNS)[number]]): string | number | null =>
  v !== null && typeof v === "object" ? JSON.stringify(v) : v;

export const csvRecord = (log: SerialisedLog): string =>
  `${COLUMNS.map((c) => csvField(csvValue(log[c]))).join(",")}\r\n`;

export const ndjsonLine = (log: SerialisedLog): string => `${JSON.stringify(log)}\n`;

/** Text before the first record (the CSV header row). */
export const exportPreamble = (format: ExportFormat): string => (format === "csv" ? csvHeader() : "");

export const exportRecord = (format: ExportFormat, log: SerialisedLog): string =>
  format === "csv" ? csvRecord(log) : ndjsonLine(log);

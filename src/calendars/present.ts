import type { CalendarRow, MaintenanceWindowRow } from "../db/schema";
import { formatInstant, formatInstantOrNull } from "../lib/dates";

const parse = <T>(text: string | null, fallback: T): T => (text === null ? fallback : (JSON.parse(text) as T));

export function presentCalendar(row: CalendarRow) {
  return {
    id: row.id,
    name: row.name,
    timezone: row.timezone,
    dates: parse<string[]>(row.dates, []),
    ranges: parse<Array<{ start: number; end: number }>>(row.ranges, []).map((r) => ({
      start: formatInstant(r.start),
      end: formatInstant(r.end),
    })),
    recurring: parse<Array<{ cron: string; duration_minutes: number }>>(row.recurring, []),
    created_at: formatInstant(row.createdAt),
    updated_at: formatInstant(row.updatedAt),
  };
}

export function presentWindow(row: MaintenanceWindowRow) {
  return {
    id: row.id,
    name: row.name,
    start: formatInstantOrNull(row.startAt),
    end: formatInstantOrNull(row.endAt),
    recurrence: parse<{ cron: string; duration_minutes: number } | null>(row.recurrence, null),
    timezone: row.timezone,
    action: row.action,
    job_ids: parse<string[]>(row.jobIds, []),
    monitor_ids: parse<string[]>(row.monitorIds, []),
    tags: parse<string[]>(row.tags, []),
    created_at: formatInstant(row.createdAt),
    updated_at: formatInstant(row.updatedAt),
  };
}

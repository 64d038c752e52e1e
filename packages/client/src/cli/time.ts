import { UsageError } from "./exit-codes.js";

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `--since` / `--until`: a duration back from now (`90s`, `15m`, `2h`, `7d`, `1w`) or an ISO 8601 date or
 * date-time as the logs API takes it (a bare date, or a date-time with `Z` or an offset), passed through
 * unchanged so the API's "inclusive to the precision given" rule applies.
 */
export function parseSince(value: string, option: string, now = Date.now()): string {
  const rel = /^(\d+)([smhdw])$/.exec(value);
  if (rel) {
    const ms = Number(rel[1]) * (UNITS[rel[2] as string] as number);
    return `${new Date(now - ms).toISOString().slice(0, 19)}Z`;
  }
  if (/^\d{4}-\d{2}-\d{2}(T.*(Z|[+-]\d{2}:?\d{2}))?$/i.test(value)) return value;
  throw new UsageError(
    `${option} must be a duration (30s, 15m, 2h, 7d, 1w) or an ISO 8601 date/date-time with Z or an offset, not "${value}"`,
  );
}

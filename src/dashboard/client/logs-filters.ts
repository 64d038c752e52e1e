/**
 * The execution log's filters without the DOM (test/dashboard/logs-filters.test.ts): the URL hash they live in (so a
 * link or Back restores them), the logs API query they become, and which filter input an API field error belongs to.
 */

import type { LogsQuery } from "./types";
import { STATUSES } from "./types";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface LogFilters {
  status: string;
  from: string;
  to: string;
  page: number;
  job: string;
  tags: string;
  /** `500` or `5xx`, as typed: the API judges it (docs/API-NOTES.md "Search: response code, latency and text"). */
  code: string;
  minMs: string;
  maxMs: string;
  /** Text search, job page only: cursor paging, no totals. */
  q: string;
  /** With `q`, the page's cursor (its page number has no meaning there). */
  cursor: string;
}

export const NO_FILTERS: LogFilters = {
  status: "",
  from: "",
  to: "",
  page: 1,
  job: "",
  tags: "",
  code: "",
  minMs: "",
  maxMs: "",
  q: "",
  cursor: "",
};

/** Each filter's name in the hash, in the order the hash lists them. */
const HASH_KEYS = {
  job: "job",
  status: "status",
  from: "from",
  to: "to",
  tags: "tags",
  code: "code",
  minMs: "min_ms",
  maxMs: "max_ms",
  q: "q",
  cursor: "cursor",
  page: "page",
} as const satisfies Record<keyof LogFilters, string>;

/**
 * The filters a hash's query holds. A status or date the form could not have produced is dropped; a code or bound
 * is kept as typed, so the API's 400 marks its input rather than the filter vanishing.
 */
export function readFilters(params: URLSearchParams, account: boolean): LogFilters {
  const get = (k: keyof LogFilters) => (params.get(HASH_KEYS[k]) ?? "").trim();
  const date = (v: string) => (DATE.test(v) ? v : "");
  const status = get("status");
  // Text search is per job (the account route refuses `q`).
  const q = account ? "" : get("q");
  return {
    status: (STATUSES as readonly string[]).includes(status) ? status : "",
    from: date(get("from")),
    to: date(get("to")),
    page: q ? 1 : Math.max(1, Number.parseInt(get("page") || "1", 10) || 1),
    job: account ? get("job") : "",
    tags: account ? get("tags") : "",
    code: get("code"),
    minMs: get("minMs"),
    maxMs: get("maxMs"),
    q,
    cursor: q ? get("cursor") : "",
  };
}

/** The hash for `f` under `base` (`#/logs`), leaving out empty filters and page 1. */
export function filtersHash(base: string, f: Partial<LogFilters>): string {
  const qs = new URLSearchParams();
  for (const [key, name] of Object.entries(HASH_KEYS) as Array<[keyof LogFilters, string]>) {
    const v = f[key];
    if (v && String(v) !== "1") qs.set(name, String(v));
  }
  const s = qs.toString();
  return `${base}${s ? `?${s}` : ""}`;
}

/** Query parameter → value; empty ones are left out by api.ts. Keys checked against the API's schema. */
export type LogsApiQuery = Partial<Record<keyof LogsQuery, string | number>>;

/**
 * The filters as the logs API's query (the export's too, `paging: false`). `bound` turns a form date into the
 * instant the day starts or ends in the dashboard's zone (time.ts `dayBound`).
 */
export function apiQuery(
  f: LogFilters,
  o: { account: boolean; paging: boolean; bound: (date: string, end: boolean) => string },
): LogsApiQuery {
  const query: LogsApiQuery = {
    status: f.status,
    start_date: f.from ? o.bound(f.from, false) : "",
    end_date: f.to ? o.bound(f.to, true) : "",
    response_code: f.code,
    min_response_time_ms: f.minMs,
    max_response_time_ms: f.maxMs,
  };
  if (o.account) Object.assign(query, { cron_job_id: f.job, tags: f.tags });
  if (!o.paging) return query;
  // `q` pages by cursor only: `page` with it is a 400 (docs/API-NOTES.md "Search: response code, latency and text").
  return f.q ? { ...query, q: f.q, cursor: f.cursor } : { ...query, page: f.page };
}

/** The id of the filter input each API query field names, for ui.ts `showFieldErrors`. */
export const FILTER_FIELD_IDS: Readonly<Partial<Record<keyof LogsQuery, string>>> = {
  status: "filter-status",
  start_date: "filter-from",
  end_date: "filter-to",
  cron_job_id: "filter-job",
  tags: "filter-tags",
  response_code: "filter-code",
  min_response_time_ms: "filter-min-ms",
  max_response_time_ms: "filter-max-ms",
  q: "filter-q",
};

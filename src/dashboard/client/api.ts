import { credentials } from "./session";
import type { Credentials, FieldError, Problem } from "./types";

/**
 * A failed API call: `status` 0 when the server could not be reached; `errors` from a 400 problem document;
 * `problem` the whole document, for members a route adds (a 409's `jobs`).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: FieldError[] = [],
    readonly problem: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

type Params = Record<string, string | number | boolean | null | undefined>;

export function query(params: Params | undefined): string {
  const qs = new URLSearchParams();
  for (const [key, v] of Object.entries(params ?? {})) {
    if (v !== undefined && v !== null && v !== "") qs.set(key, String(v));
  }
  const s = qs.toString();
  return s ? `?${s}` : "";
}

/** Called when the API says the stored credentials no longer work (401). */
let onUnauthorized: (detail: string) => void = () => {};
export function setUnauthorizedHandler(fn: (detail: string) => void): void {
  onUnauthorized = fn;
}

interface CallOptions {
  method?: "GET" | "POST" | "PATCH" | "DELETE";
  params?: Params;
  body?: unknown;
  /** Credentials to try (sign-in) instead of the stored ones. */
  creds?: Credentials;
}

function request(path: string, o: CallOptions, accept: string): Promise<Response> {
  const c = o.creds ?? credentials();
  if (!c) throw new ApiError(401, "Not signed in");
  const headers: Record<string, string> = { Accept: accept, "X-API-Key": c.apiKey, "X-API-Secret": c.apiSecret };
  if (o.body !== undefined) headers["Content-Type"] = "application/json";
  // Only ever this origin's API; credentials go in headers, never in the URL.
  return fetch(`/v1/cron-jobs/${encodeURIComponent(c.accountId)}${path}${query(o.params)}`, {
    method: o.method ?? "GET",
    headers,
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
    cache: "no-store",
    credentials: "omit",
    redirect: "error",
    referrerPolicy: "no-referrer",
  }).catch(() => {
    throw new ApiError(0, "The server could not be reached.");
  });
}

async function failure(res: Response, o: CallOptions): Promise<ApiError> {
  let p: Partial<Problem> | null = null;
  try {
    p = (await res.json()) as Partial<Problem>;
  } catch {}
  const detail = typeof p?.detail === "string" ? p.detail : `HTTP ${res.status}`;
  if (!o.creds && res.status === 401) onUnauthorized(detail);
  return new ApiError(
    res.status,
    detail,
    Array.isArray(p?.errors) ? p.errors : [],
    p && typeof p === "object" ? (p as Record<string, unknown>) : {},
  );
}

export async function api<T>(path: string, o: CallOptions = {}): Promise<T> {
  const res = await request(path, o, "application/json");
  if (!res.ok) throw await failure(res, o);
  return (await res.json()) as T;
}

/** Fetches an export with the credentials in headers and saves it through a temporary blob: URL. */
export async function download(path: string, params: Params, fallbackName: string): Promise<string> {
  const res = await request(path, { params }, "*/*");
  if (!res.ok) throw await failure(res, {});
  const disposition = res.headers.get("content-disposition") ?? "";
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}

/** Runs `tasks` with at most `n` in flight (the API's rate limit is per key). */
export async function runLimited(tasks: Array<() => Promise<void>>, n: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++];
      if (task) await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, tasks.length) }, worker));
}

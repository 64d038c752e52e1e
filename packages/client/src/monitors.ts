/**
 * Heartbeat monitors: their management routes (`client.monitors`) and pings (`client.ping`). Pings use
 * Healthchecks' grammar (README "Monitors") and are unauthenticated: a slug URL needs the account's ping key, which
 * the client takes from its `pingKey` option or from any monitor's `ping_url` (shown to full-scope keys only).
 */
import type { Client } from "openapi-fetch";
import { EdgecronApiError, EdgecronNetworkError } from "./errors.js";
import type { paths } from "./schema.js";
import type { Problem } from "./types.js";

type Json<R> = R extends { content: { "application/json": infer T } } ? T : never;
type Query<Op> = Op extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
type Body<Op> = Op extends { requestBody?: infer B } ? Json<NonNullable<B>> : never;

type MonitorsPath = paths["/v1/cron-jobs/{accountId}/monitors"];
type MonitorPath = paths["/v1/cron-jobs/{accountId}/monitors/{monitor_id}"];
type PingsOp = paths["/v1/cron-jobs/{accountId}/monitors/{monitor_id}/pings"]["get"];
type RotateOp = paths["/v1/cron-jobs/{accountId}/ping-key/rotate"]["post"];

/** A heartbeat monitor as the API returns it. */
export type Monitor = Json<MonitorPath["get"]["responses"][200]>["data"];
/** The body of `POST …/monitors`. */
export type MonitorCreate = Body<MonitorsPath["post"]>;
/** The body of `PATCH …/monitors/{id}`: only what changes. */
export type MonitorUpdate = Body<MonitorPath["patch"]>;
/** `new | up | late | down | paused`. */
export type MonitorState = Monitor["state"];
/** One page of monitors, newest first. */
export type MonitorsPage = Json<MonitorsPath["get"]["responses"][200]>;
/** Filters of `GET …/monitors` (without paging): `state`, `tags` (comma-separated, any of them). */
export type MonitorsFilter = Omit<Query<MonitorsPath["get"]>, "cursor" | "limit">;
/** `DELETE …/monitors/{id}` answer's data. */
export type DeletedMonitor = Json<MonitorPath["delete"]["responses"][200]>["data"];
/** One recorded ping. */
export type MonitorPing = Json<PingsOp["responses"][200]>["data"][number];
/** One page of a monitor's pings, newest first. */
export type MonitorPingsPage = Json<PingsOp["responses"][200]>;
/** `POST …/ping-key/rotate` answer's data. */
export type RotatedPingKey = Json<RotateOp["responses"][200]>["data"];

export interface MonitorPageOptions {
  /** 1–100 a page (the API's default is 50). */
  limit?: number;
  /** `pagination.next_cursor` of the previous page. */
  cursor?: string;
  signal?: AbortSignal;
}
export type MonitorsPageOptions = MonitorsFilter & MonitorPageOptions;

/** What a ping reports: success (default), `start`, `fail`, `log` (recorded only) or an exit status 0–255. */
export type PingState = "success" | "start" | "fail" | "log" | number;

export interface PingOptions {
  state?: PingState;
  /** A UUID pairing a start with its end (the end's ping gets `duration_ms`). */
  rid?: string;
  /** Sent with POST; the server keeps its first 10 KB. */
  body?: string | Uint8Array<ArrayBuffer>;
  /** `?create=1`: an unknown slug is created with the defaults. */
  create?: boolean;
  /** The account's ping key, overriding the client's `pingKey`. */
  pingKey?: string;
  signal?: AbortSignal;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The ping key inside a full-scope `ping_url` (`…/ping/<key>/<slug>`); null for a masked or by-id URL. */
export function pingKeyOf(pingUrl: string): string | null {
  const m = /\/ping\/([^/]+)\/[^/]+\/?$/.exec(new URL(pingUrl).pathname);
  const key = m?.[1] ? decodeURIComponent(m[1]) : null;
  return key && key !== "<ping_key>" ? key : null;
}

/**
 * The URL one ping goes to: `/ping/{monitor_id}` for a UUID, `/ping/{ping_key}/{slug}` otherwise, then the state's
 * suffix and the query (`rid`, `create`).
 */
export function pingUrl(baseUrl: string, target: string, options: PingOptions & { pingKey?: string } = {}): string {
  const state = options.state ?? "success";
  if (typeof state === "number" && !(Number.isInteger(state) && state >= 0 && state <= 255)) {
    throw new RangeError(`an exit status is an integer 0–255, not ${state}`);
  }
  let path: string;
  if (UUID.test(target)) path = `/ping/${target.toLowerCase()}`;
  else {
    if (!options.pingKey) {
      throw new Error(
        `pinging the slug "${target}" needs the account's ping key: pass pingKey (it is in a monitor's ping_url) or ping by monitor id`,
      );
    }
    path = `/ping/${encodeURIComponent(options.pingKey)}/${encodeURIComponent(target)}`;
  }
  if (state !== "success") path += `/${state}`;
  const query = new URLSearchParams();
  if (options.rid !== undefined) query.set("rid", options.rid);
  if (options.create) query.set("create", "1");
  const qs = query.toString();
  return `${baseUrl}${path}${qs ? `?${qs}` : ""}`;
}

type Call = <T>(request: Promise<{ data?: T; error?: unknown; response: Response }>) => Promise<T>;

/** `client.monitors`: create, list (cursor, state, tags), get, update, delete, pause, resume, pings, rotate key. */
export class MonitorsResource {
  constructor(
    private readonly raw: Client<paths>,
    private readonly accountId: string,
    private readonly call: Call,
  ) {}

  private path(id: string) {
    return { accountId: this.accountId, monitor_id: id };
  }

  async create(monitor: MonitorCreate): Promise<Monitor> {
    const res = await this.call(
      this.raw.POST("/v1/cron-jobs/{accountId}/monitors", {
        params: { path: { accountId: this.accountId } },
        body: monitor,
      }),
    );
    return res.data;
  }

  /** One page of monitors, newest first, filtered by `state` and `tags`. */
  page(options: MonitorsPageOptions = {}): Promise<MonitorsPage> {
    const { signal, ...query } = options;
    return this.call(
      this.raw.GET("/v1/cron-jobs/{accountId}/monitors", {
        params: { path: { accountId: this.accountId }, query },
        signal,
      }),
    );
  }

  /** Every matching monitor, newest first, following `next_cursor` page by page. */
  async *list(options: MonitorsPageOptions = {}): AsyncGenerator<Monitor> {
    let cursor = options.cursor;
    for (;;) {
      const page = await this.page({ ...options, cursor });
      yield* page.data;
      cursor = page.pagination.next_cursor ?? undefined;
      if (!cursor || page.data.length === 0) return;
    }
  }

  async get(id: string): Promise<Monitor> {
    const res = await this.call(
      this.raw.GET("/v1/cron-jobs/{accountId}/monitors/{monitor_id}", { params: { path: this.path(id) } }),
    );
    return res.data;
  }

  async update(id: string, patch: MonitorUpdate): Promise<Monitor> {
    const res = await this.call(
      this.raw.PATCH("/v1/cron-jobs/{accountId}/monitors/{monitor_id}", {
        params: { path: this.path(id) },
        body: patch,
      }),
    );
    return res.data;
  }

  async delete(id: string): Promise<DeletedMonitor> {
    const res = await this.call(
      this.raw.DELETE("/v1/cron-jobs/{accountId}/monitors/{monitor_id}", { params: { path: this.path(id) } }),
    );
    return res.data;
  }

  /** No deadline and no alert until resumed; pings are still recorded. */
  async pause(id: string): Promise<Monitor> {
    const res = await this.call(
      this.raw.POST("/v1/cron-jobs/{accountId}/monitors/{monitor_id}/pause", { params: { path: this.path(id) } }),
    );
    return res.data;
  }

  /** Back to `new`, waiting for the next ping. */
  async resume(id: string): Promise<Monitor> {
    const res = await this.call(
      this.raw.POST("/v1/cron-jobs/{accountId}/monitors/{monitor_id}/resume", { params: { path: this.path(id) } }),
    );
    return res.data;
  }

  /** One page of a monitor's pings, newest first. */
  pingsPage(id: string, options: MonitorPageOptions = {}): Promise<MonitorPingsPage> {
    const { signal, ...query } = options;
    return this.call(
      this.raw.GET("/v1/cron-jobs/{accountId}/monitors/{monitor_id}/pings", {
        params: { path: this.path(id), query },
        signal,
      }),
    );
  }

  /** Every ping of a monitor, newest first. */
  async *pings(id: string, options: MonitorPageOptions = {}): AsyncGenerator<MonitorPing> {
    let cursor = options.cursor;
    for (;;) {
      const page = await this.pingsPage(id, { ...options, cursor });
      yield* page.data;
      cursor = page.pagination.next_cursor ?? undefined;
      if (!cursor || page.data.length === 0) return;
    }
  }

  /** A new account ping key: every slug ping URL changes (by-id URLs do not). */
  async rotatePingKey(): Promise<RotatedPingKey> {
    const res = await this.call(
      this.raw.POST("/v1/cron-jobs/{accountId}/ping-key/rotate", { params: { path: { accountId: this.accountId } } }),
    );
    return res.data;
  }
}

/** The answer to a ping: `OK` (200) or `Created` (201, `create: true` made the monitor). */
export interface PingResult {
  status: number;
  created: boolean;
}

/** Sends one ping (POST with a body, GET without); an error status throws EdgecronApiError. */
export async function sendPing(
  fetchImpl: (request: Request) => Promise<Response>,
  baseUrl: string,
  target: string,
  options: PingOptions,
  headers: Record<string, string>,
): Promise<PingResult> {
  const url = pingUrl(baseUrl, target, options);
  const init: RequestInit = { method: options.body === undefined ? "GET" : "POST", headers, signal: options.signal };
  if (options.body !== undefined) {
    init.body = options.body;
    init.headers = { ...headers, "Content-Type": "text/plain; charset=utf-8" };
  }
  let response: Response;
  try {
    response = await fetchImpl(new Request(url, init));
  } catch (cause) {
    if (cause instanceof Error && cause.name === "AbortError") throw cause;
    throw new EdgecronNetworkError(baseUrl, { cause });
  }
  if (!response.ok) {
    const problem = (await response.json().catch(() => null)) as Problem | null;
    throw new EdgecronApiError(response.status, problem, response);
  }
  await response.body?.cancel();
  return { status: response.status, created: response.status === 201 };
}

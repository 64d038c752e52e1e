import { and, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import { monitorSilencedAt } from "../calendars/mute";
import type { Db } from "../db/client";
import {
  accounts,
  deliveries,
  type MonitorRow,
  type MonitorState,
  monitorPings,
  monitors,
  outbox,
  type PingKind,
  type PingMethod,
  pingKinds,
  pingMethods,
} from "../db/schema";
import { encodeText } from "../lib/codec";
import type { OutboxEntry } from "../lib/messages";
import { type MonitorAlertFacts, monitorAlertPlan } from "./alerts";
import { insertMonitorWithinLimit } from "./repository";
import { nextExpectedAt } from "./schedule";
import { DEFAULT_GRACE_SECONDS, DEFAULT_PERIOD_SECONDS } from "./schemas";

/**
 * Pings (Healthchecks' Pinging API grammar, README "Monitors"). A ping is one batch on the shard, built from the
 * monitor's configuration as cached per isolate: every statement holds only while config_version is the one read,
 * and every state change is decided in SQL from the row the batch sees, so concurrent pings and ticks serialise.
 */

/** What the URL says: the monitor, by slug under the account's key or by its UUID. */
export type PingTarget = { key: string; slug: string } | { monitorId: string };
export interface PingSignal {
  kind: PingKind;
  /** `/ping/…/{0-255}`: 0 is a success, anything else a fail. */
  exitStatus: number | null;
}

/** How far back an end looks for its start: Healthchecks' 72 hours ("Measuring script run time"). */
export const PAIR_WINDOW_MS = 72 * 3_600_000;
/** Bytes of a POST body kept, as Healthchecks keeps (its Pinging API docs). */
export const MAX_PING_BODY_BYTES = 10_240;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EXIT = /^\d{1,3}$/;

export type ParsedPing =
  | { ok: true; target: PingTarget; signal: PingSignal }
  | { ok: false; reason: "not-found" | "exit-status" };

function signalOf(word: string | undefined): PingSignal | "exit-status" | null {
  if (word === undefined) return { kind: "success", exitStatus: null };
  if (word === "start" || word === "fail" || word === "log") return { kind: word, exitStatus: null };
  if (/^\d+$/.test(word)) {
    const n = EXIT.test(word) ? Number(word) : 256;
    if (n > 255) return "exit-status";
    return { kind: n === 0 ? "success" : "fail", exitStatus: n };
  }
  return null;
}

/**
 * The path after `/ping/`: `{uuid}[/{signal}]` or `{key}/{slug}[/{signal}]`. A key is never UUID-shaped
 * (src/monitors/ping-key.ts), so `{uuid}/{signal}` and `{key}/{slug}` cannot be confused.
 */
export function parsePingPath(segments: string[]): ParsedPing {
  const [first, second, third] = segments;
  if (!first || segments.length > 3) return { ok: false, reason: "not-found" };
  if (UUID.test(first) && segments.length <= 2) {
    const signal = signalOf(second);
    if (signal === "exit-status") return { ok: false, reason: "exit-status" };
    if (signal) return { ok: true, target: { monitorId: first.toLowerCase() }, signal };
  }
  if (!second) return { ok: false, reason: "not-found" };
  const signal = signalOf(third);
  if (signal === "exit-status") return { ok: false, reason: "exit-status" };
  if (!signal) return { ok: false, reason: "not-found" };
  return { ok: true, target: { key: first, slug: second }, signal };
}

/** The POST body as kept: its first MAX_PING_BODY_BYTES as UTF-8 (a cut character dropped), empty as none. */
export function keptBody(bytes: Uint8Array | null): string | null {
  if (!bytes || bytes.length === 0) return null;
  const text = new TextDecoder().decode(bytes.subarray(0, MAX_PING_BODY_BYTES));
  return bytes.length > MAX_PING_BODY_BYTES ? text.replace(/\uFFFD$/, "") : text;
}

/** What a ping needs of its monitor; cached per isolate and checked by config_version in every statement. */
export type MonitorConfig = Pick<
  MonitorRow,
  | "id"
  | "accountId"
  | "num"
  | "name"
  | "slug"
  | "periodSeconds"
  | "cron"
  | "timezone"
  | "graceSeconds"
  | "alertPolicy"
  | "configVersion"
  | "tags"
>;

const configColumns = {
  id: monitors.id,
  accountId: monitors.accountId,
  num: monitors.num,
  name: monitors.name,
  slug: monitors.slug,
  periodSeconds: monitors.periodSeconds,
  cron: monitors.cron,
  timezone: monitors.timezone,
  graceSeconds: monitors.graceSeconds,
  alertPolicy: monitors.alertPolicy,
  configVersion: monitors.configVersion,
  tags: monitors.tags,
};

/** Monitors' configurations per isolate: a stale one costs a failed batch and a re-read, never a wrong write. */
class MonitorConfigCache {
  readonly #entries = new Map<string, { config: MonitorConfig; until: number }>();
  constructor(
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string, now: number): MonitorConfig | undefined {
    const hit = this.#entries.get(key);
    if (hit && hit.until > now) return hit.config;
    if (hit) this.#entries.delete(key);
    return undefined;
  }

  set(key: string, config: MonitorConfig, now: number): void {
    if (this.#entries.size >= this.maxEntries) this.#entries.clear();
    this.#entries.set(key, { config, until: now + this.ttlMs });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}

export const monitorConfigs = new MonitorConfigCache();

const cacheKey = (accountId: string, t: PingTarget) =>
  "slug" in t ? `${accountId}\n${t.slug}` : `${accountId}\n#${t.monitorId}`;

type Loaded = { config: MonitorConfig } | { fenced: true } | null;

/** The live monitor a ping names, within its account, and whether a move fences the account. */
async function loadConfig(db: Db, accountId: string, t: PingTarget): Promise<Loaded> {
  const [row] = await db
    .select({ ...configColumns, fencedAt: accounts.fencedAt })
    .from(monitors)
    .innerJoin(accounts, eq(accounts.id, monitors.accountId))
    .where(
      and(
        eq(monitors.accountId, accountId),
        "slug" in t ? eq(monitors.slug, t.slug) : eq(monitors.id, t.monitorId),
        isNull(monitors.deletedAt),
      ),
    )
    .limit(1);
  if (!row) return null;
  if (row.fencedAt !== null) return { fenced: true };
  const { fencedAt: _, ...config } = row;
  return { config };
}

export interface PingRequest {
  accountId: string;
  target: PingTarget;
  signal: PingSignal;
  rid: string | null;
  method: PingMethod;
  body: string | null;
  /** When it arrived (epoch ms). */
  at: number;
  /** `?create=1`: an unknown slug becomes a monitor with the defaults. */
  create: boolean;
}

export type PingOutcome = "ok" | "created" | "not-found" | "limit" | "moving";

const START = pingKinds.indexOf("start");
const LOG = pingKinds.indexOf("log");

/** The monitor row the batch was built for, unchanged in configuration, live and not fenced. */
const sameMonitor = (c: MonitorConfig) =>
  sql`${monitors.id} = ${c.id} AND ${monitors.configVersion} = ${c.configVersion} AND ${monitors.deletedAt} IS NULL AND NOT EXISTS (SELECT 1 FROM ${accounts} WHERE ${accounts.id} = ${monitors.accountId} AND ${accounts.fencedAt} IS NOT NULL)`;

const monitorIs = (c: MonitorConfig, states: MonitorState[]) =>
  sql`EXISTS (SELECT 1 FROM ${monitors} WHERE ${sameMonitor(c)} AND ${monitors.state} IN (${sql.join(
    states.map((s) => sql`${s}`),
    sql`, `,
  )}))`;

/**
 * The latest ping of `rid` other than a log, before this one and inside the pairing window: its kind (`field`
 * kind) or time (`at`). An end pairs with it when it is a start; a start whose run has ended already opens nothing.
 */
const latestOfRid = (rid: string, at: number, field: "kind" | "at", before: SQL = sql`1`) =>
  sql`(SELECT ${field === "kind" ? monitorPings.kind : sql`CASE WHEN ${monitorPings.kind} = ${START} THEN ${monitorPings.at} END`} FROM ${monitorPings} WHERE ${monitorPings.monitor} = ${monitors.num} AND ${monitorPings.rid} = ${rid} AND ${monitorPings.kind} <> ${LOG} AND ${monitorPings.at} >= ${at - PAIR_WINDOW_MS} AND ${before} ORDER BY ${monitorPings.id} DESC LIMIT 1)`;

/** The start an end pairs with (epoch ms), or NULL: by rid, else the open start without one. */
function pairedStart(rid: string | null, at: number): SQL {
  if (rid !== null) return latestOfRid(rid, at, "at");
  return sql`CASE WHEN ${monitors.openStartAt} IS NOT NULL AND ${monitors.openStartRid} IS NULL AND ${monitors.openStartAt} >= ${at - PAIR_WINDOW_MS} THEN ${monitors.openStartAt} END`;
}

type Statement = Parameters<Db["batch"]>[0][number];

/**
 * The ping's batch: [the monitor's state before it, alert rows, the ping row, the monitor's UPDATE]. Each statement
 * holds only for the same monitor (sameMonitor), so a stale configuration writes nothing and is re-read.
 */
export function pingStatements(db: Db, c: MonitorConfig, p: PingRequest, nonce: string) {
  const { kind } = p.signal;
  const at = p.at;
  const graceMs = c.graceSeconds * 1000;
  const completion = kind === "success" || kind === "fail";
  const before = db.select({ state: monitors.state }).from(monitors).where(sameMonitor(c));
  const duration = completion ? sql`max(0, ${at} - ${pairedStart(p.rid, at)})` : sql`NULL`;
  const body = p.body === null ? null : encodeText(p.body);
  const insert = db
    .insert(monitorPings)
    .select(
      sql`SELECT NULL, ${monitors.num}, ${at}, ${pingKinds.indexOf(kind)}, ${pingMethods.indexOf(p.method)}, ${p.signal.exitStatus}, ${p.rid}, ${duration}, ${body} FROM ${monitors} WHERE ${sameMonitor(c)}`,
    );
  const statements: Statement[] = [before];
  const alerts: Array<{ when: MonitorState[]; entries: OutboxEntry[] }> = [];
  // A success ends a down spell (`up`); a fail starts one from up or new (`down`). Read before the UPDATE.
  const transition =
    kind === "success"
      ? { event: "up" as const, from: ["down" as const] }
      : kind === "fail"
        ? { event: "down" as const, from: ["up" as const, "new" as const] }
        : null;
  if (transition) {
    const facts: MonitorAlertFacts = {
      event: transition.event,
      reason: kind === "success" ? "success" : "fail",
      at,
      exitStatus: p.signal.exitStatus,
      lastPingAt: at,
      startedAt: null,
    };
    const plan = monitorAlertPlan(db, c, facts, `p${at}-${nonce}`, monitorIs(c, transition.from), at);
    statements.push(...plan.statements);
    alerts.push({ when: transition.from, entries: plan.entries });
  }
  statements.push(insert);
  if (kind !== "log") statements.push(updateStatement(db, c, p, graceMs));
  /** The outbox entries the batch wrote, given the state it saw first. */
  const written = (state: MonitorState) => alerts.filter((a) => a.when.includes(state)).flatMap((a) => a.entries);
  return { statements, written };
}

function updateStatement(db: Db, c: MonitorConfig, p: PingRequest, graceMs: number) {
  const m = monitors;
  const at = p.at;
  const where = sql`${sameMonitor(c)}`;
  if (p.signal.kind === "start") {
    // A start opens a run unless its rid's run has ended already (a start arriving after its own end).
    const opens =
      p.rid === null
        ? sql`1`
        : sql`coalesce(${latestOfRid(p.rid, at, "kind", sql`${monitorPings.id} < last_insert_rowid()`)}, ${START}) = ${START}`;
    return db
      .update(m)
      .set({
        lastPingAt: at,
        lastStartAt: at,
        openStartAt: sql`CASE WHEN ${opens} THEN ${at} ELSE ${m.openStartAt} END`,
        openStartRid: sql`CASE WHEN ${opens} THEN ${p.rid} ELSE ${m.openStartRid} END`,
        downAt: sql`CASE WHEN ${opens} AND ${m.state} = 'up' AND (${m.downAt} IS NULL OR ${at + graceMs} < ${m.downAt}) THEN ${at + graceMs} ELSE ${m.downAt} END`,
      })
      .where(where);
  }
  const success = p.signal.kind === "success";
  const next = nextExpectedAt(c, at);
  // The end closes the open start it matches (same rid, or both none); another open start keeps its deadline.
  const closes = sql`(${m.openStartAt} IS NOT NULL AND ${m.openStartRid} IS ${p.rid})`;
  const openDeadline = sql`CASE WHEN NOT ${closes} AND ${m.openStartAt} IS NOT NULL AND ${m.openStartAt} + ${graceMs} > ${at} THEN ${m.openStartAt} + ${graceMs} END`;
  const deadline =
    next === null
      ? openDeadline
      : sql`CASE WHEN ${openDeadline} < ${next + graceMs} THEN ${openDeadline} ELSE ${next + graceMs} END`;
  const to = success ? "up" : "down";
  const paused = sql`${m.state} = 'paused'`;
  return db
    .update(m)
    .set({
      state: sql`CASE WHEN ${paused} THEN 'paused' ELSE ${to} END`,
      stateChangedAt: sql`CASE WHEN ${m.state} NOT IN ('paused', ${to}) THEN ${at} ELSE ${m.stateChangedAt} END`,
      lastPingAt: at,
      nextExpectedAt: sql`CASE WHEN ${paused} THEN NULL ELSE ${next} END`,
      downAt: success ? sql`CASE WHEN ${paused} THEN NULL ELSE ${deadline} END` : sql`NULL`,
      openStartAt: sql`CASE WHEN ${closes} THEN NULL ELSE ${m.openStartAt} END`,
      openStartRid: sql`CASE WHEN ${closes} THEN NULL ELSE ${m.openStartRid} END`,
      lastDurationMs: sql`coalesce((SELECT ${monitorPings.durationMs} FROM ${monitorPings} WHERE ${monitorPings.id} = last_insert_rowid()), ${m.lastDurationMs})`,
    })
    .where(where);
}

/** The state a new monitor starts in, created by the API or by a ping: no pings yet, not expected until one. */
export function newMonitorState(now: number) {
  return {
    state: "new" as const,
    stateChangedAt: now,
    lastPingAt: null,
    lastStartAt: null,
    openStartAt: null,
    openStartRid: null,
    lastDurationMs: null,
    nextExpectedAt: null,
    downAt: null,
    configVersion: 1,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  };
}

/** What `?create=1` makes of an unknown slug: Healthchecks' defaults, a day's period and an hour's grace. */
export function autoCreatedMonitor(accountId: string, slug: string, id: string, now: number) {
  return {
    id,
    accountId,
    name: slug,
    slug,
    periodSeconds: DEFAULT_PERIOD_SECONDS,
    cron: null,
    timezone: "UTC",
    graceSeconds: DEFAULT_GRACE_SECONDS,
    tags: "[]",
    alertPolicy: null,
    secrets: null,
    ...newMonitorState(now),
  };
}

export interface PingDeps {
  /** MAX_MONITORS: what `?create=1` may grow the account to. */
  maxMonitors: number;
  /** Writes the control plane's route of a new monitor before the monitor (src/monitors/ping-key.ts). */
  addRoute(monitorId: string, accountId: string): Promise<void>;
  removeRoute(monitorId: string): Promise<void>;
  /** A random suffix naming this ping's state change in alert ids. */
  nonce(): string;
}

/**
 * Records one ping: resolves its monitor (cache, else one read), creates it for `?create=1`, then runs the batch,
 * re-reading the configuration when the batch finds it changed. Returns the outbox entries it wrote, to send.
 */
/**
 * A ping's `up` or `down` alert inside a `mute` window (src/calendars) is withdrawn before it is sent: its outbox
 * entries and delivery rows go. Asked only when the ping changed the state and wrote alerts, so pings read nothing.
 */
async function unlessMuted(db: Db, c: MonitorConfig, at: number, entries: OutboxEntry[]): Promise<OutboxEntry[]> {
  if (entries.length === 0 || !(await monitorSilencedAt(db, c, at, false))) return entries;
  const ids = entries.map((e) => e.id);
  await db.batch([
    db.delete(outbox).where(inArray(outbox.id, ids)),
    db.delete(deliveries).where(inArray(deliveries.id, ids)),
  ]);
  return [];
}

export async function recordPing(
  db: Db,
  p: PingRequest,
  deps: PingDeps,
): Promise<{ outcome: PingOutcome; entries: OutboxEntry[] }> {
  const key = cacheKey(p.accountId, p.target);
  let created = false;
  let config = monitorConfigs.get(key, p.at);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (!config) {
      const loaded = await loadConfig(db, p.accountId, p.target);
      if (loaded && "fenced" in loaded) return { outcome: "moving", entries: [] };
      if (!loaded) {
        if (!p.create || !("slug" in p.target) || created) return { outcome: "not-found", entries: [] };
        const id = crypto.randomUUID();
        await deps.addRoute(id, p.accountId);
        const inserted = await insertMonitorWithinLimit(
          db,
          autoCreatedMonitor(p.accountId, p.target.slug, id, p.at),
          deps.maxMonitors,
        );
        if (inserted !== "ok") await deps.removeRoute(id);
        if (inserted === "limit") return { outcome: "limit", entries: [] };
        created = inserted === "ok";
        continue;
      }
      config = loaded.config;
    }
    const batch = pingStatements(db, config, p, deps.nonce());
    const results = (await db.batch(batch.statements as [Statement, ...Statement[]])) as unknown[];
    const [seen] = results[0] as Array<{ state: MonitorState }>;
    if (seen) {
      monitorConfigs.set(key, config, p.at);
      const entries = await unlessMuted(db, config, p.at, batch.written(seen.state));
      return { outcome: created ? "created" : "ok", entries };
    }
    // Changed, deleted or fenced since it was cached: nothing was written; read it again.
    monitorConfigs.delete(key);
    config = undefined;
  }
  throw new Error(`monitor ${JSON.stringify(p.target)} changed during three pings in a row`);
}

import { eq } from "drizzle-orm";
import type { ControlDb } from "../db/client";
import { accountShards, type DirectoryState, monitorRoutes, pingKeys } from "../db/control-schema";
import { hashSecret } from "../lib/credentials";
import { seal, unseal } from "../lib/secrets/crypto";
import { type KeyringStatus, MasterKeyMissingError } from "../lib/secrets/keyring";

/**
 * The account's ping key (control plane): 128 random bits, base64url, 22 characters as Healthchecks' are, so a key
 * can never be mistaken for a monitor's UUID in `/ping/{key}/{slug}`. Found by its SHA-256; sealed for display.
 */
export const PING_KEY = /^[A-Za-z0-9_-]{22}$/;
const SEAL_AAD = "ping-key";

export function newPingKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function keyColumns(ring: KeyringStatus, accountId: string, key: string, now: number) {
  if (!ring.ok) throw new MasterKeyMissingError(ring.reason);
  return {
    accountId,
    keyHash: await hashSecret(key),
    sealedKey: await seal(ring.keyring, accountId, SEAL_AAD, key),
    createdAt: now,
  };
}

/** Gives the account a ping key unless it has one (its first monitor). */
export async function ensurePingKey(control: ControlDb, ring: KeyringStatus, accountId: string, now: number) {
  const [row] = await control
    .select({ accountId: pingKeys.accountId })
    .from(pingKeys)
    .where(eq(pingKeys.accountId, accountId));
  if (row) return;
  await control
    .insert(pingKeys)
    .values(await keyColumns(ring, accountId, newPingKey(), now))
    .onConflictDoNothing();
}

/** Replaces the account's ping key; the old one stops working once isolates' route caches expire. */
export async function rotatePingKey(
  control: ControlDb,
  ring: KeyringStatus,
  accountId: string,
  now: number,
): Promise<string> {
  const key = newPingKey();
  const cols = await keyColumns(ring, accountId, key, now);
  await control
    .insert(pingKeys)
    .values(cols)
    .onConflictDoUpdate({
      target: pingKeys.accountId,
      set: { keyHash: cols.keyHash, sealedKey: cols.sealedKey, createdAt: now },
    });
  pingRoutes.clear();
  return key;
}

/** The account's ping key in clear, or null when it has none yet. */
export async function readPingKey(control: ControlDb, ring: KeyringStatus, accountId: string): Promise<string | null> {
  const [row] = await control
    .select({ sealedKey: pingKeys.sealedKey })
    .from(pingKeys)
    .where(eq(pingKeys.accountId, accountId));
  if (!row) return null;
  if (!ring.ok) throw new MasterKeyMissingError(ring.reason);
  return unseal(ring.keyring, accountId, SEAL_AAD, row.sealedKey);
}

/** Where a ping goes: its account and that account's directory entry, read together in one query. */
export interface PingRoute {
  accountId: string;
  shard: number;
  state: DirectoryState;
}

/**
 * Routes by ping key hash or monitor id, remembered per isolate (unknown ones too, so a flood of bad keys costs D1
 * nothing) for DIRECTORY_CACHE_SECONDS: an account move waits that long after fencing (src/shards/move.ts).
 */
class PingRouteCache {
  readonly #entries = new Map<string, { route: PingRoute | null; until: number }>();
  constructor(private readonly maxEntries = 10_000) {}

  get(key: string, now: number): { route: PingRoute | null } | undefined {
    const hit = this.#entries.get(key);
    if (!hit) return undefined;
    if (hit.until > now) return hit;
    this.#entries.delete(key);
    return undefined;
  }

  set(key: string, route: PingRoute | null, until: number): void {
    if (this.#entries.size >= this.maxEntries) this.#entries.clear(); // bounded memory; a miss costs one query
    this.#entries.set(key, { route, until });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}

export const pingRoutes = new PingRouteCache();

const routeColumns = { accountId: accountShards.accountId, shard: accountShards.shard, state: accountShards.state };

/** The route of `/ping/{key}/…` or `/ping/{uuid}/…`: one control-plane read on a cache miss, null when unknown. */
export async function resolvePingRoute(
  control: ControlDb,
  target: { key: string } | { monitorId: string },
  opts: { now: number; ttlMs: number },
): Promise<PingRoute | null> {
  const cacheKey = "key" in target ? `k:${await hashSecret(target.key)}` : `m:${target.monitorId}`;
  const hit = pingRoutes.get(cacheKey, opts.now);
  if (hit) return hit.route;
  const [row] =
    "key" in target
      ? await control
          .select(routeColumns)
          .from(pingKeys)
          .innerJoin(accountShards, eq(accountShards.accountId, pingKeys.accountId))
          .where(eq(pingKeys.keyHash, cacheKey.slice(2)))
          .limit(1)
      : await control
          .select(routeColumns)
          .from(monitorRoutes)
          .innerJoin(accountShards, eq(accountShards.accountId, monitorRoutes.accountId))
          .where(eq(monitorRoutes.monitorId, target.monitorId))
          .limit(1);
  const route = row ?? null;
  if (opts.ttlMs > 0) pingRoutes.set(cacheKey, route, opts.now + opts.ttlMs);
  return route;
}

/** The route a `/ping/{uuid}` needs, written before the monitor itself (a route without a monitor answers 404). */
export async function addMonitorRoute(control: ControlDb, monitorId: string, accountId: string) {
  await control.insert(monitorRoutes).values({ monitorId, accountId }).onConflictDoNothing();
  pingRoutes.delete(`m:${monitorId}`);
}

export async function removeMonitorRoute(control: ControlDb, monitorId: string) {
  await control.delete(monitorRoutes).where(eq(monitorRoutes.monitorId, monitorId));
  pingRoutes.delete(`m:${monitorId}`);
}

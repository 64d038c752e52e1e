/**
 * Verified keys, remembered per isolate for API_KEY_CACHE_SECONDS (0: off) to spare bursts a D1 round trip. Only
 * the account and the secret's SHA-256 are kept; each request still hashes and compares in constant time. The
 * price: other isolates accept a revoked key until their entry expires. Keys change only by revocation.
 */
import type { ApiKeyScope } from "../db/control-schema";

export interface CachedKey {
  accountId: string;
  secretHash: Uint8Array;
  /** What the key may do (read_only: no write routes). */
  scope: ApiKeyScope;
  /** When the entry stops being trusted (ms): the cache TTL, or the key's own expiry if that comes first. */
  expiresAt: number;
  /** Last `last_used_at` this isolate wrote or read, so use is recorded at most once a minute per key. */
  lastUsedAt: number | null;
}

/** Bounded so a flood of distinct keys cannot grow an isolate's memory. */
export const KEY_CACHE_MAX_ENTRIES = 1_000;

export class VerifiedKeyCache {
  readonly #entries = new Map<string, CachedKey>();
  /** Keys revoked through this isolate: a verification that read the key before the revocation must not re-cache it. */
  readonly #revoked = new Set<string>();

  constructor(private readonly maxEntries = KEY_CACHE_MAX_ENTRIES) {}

  /** The live entry for a key id, or undefined (an expired one is dropped). */
  get(keyId: string, now: number): CachedKey | undefined {
    const entry = this.#entries.get(keyId);
    if (entry && entry.expiresAt <= now) {
      this.#entries.delete(keyId);
      return undefined;
    }
    return entry;
  }

  /** Forgets a revoked key in this isolate for good, so a verification in flight cannot put it back. */
  revoke(keyId: string): void {
    this.#entries.delete(keyId);
    this.#revoked.delete(keyId);
    if (this.#revoked.size >= this.maxEntries) {
      const oldest = this.#revoked.values().next().value;
      if (oldest !== undefined) this.#revoked.delete(oldest);
    }
    this.#revoked.add(keyId);
  }

  set(keyId: string, entry: CachedKey): void {
    if (this.#revoked.has(keyId)) return;
    this.#entries.delete(keyId);
    if (this.#entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(keyId, entry);
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
    this.#revoked.clear();
  }
}

/** The isolate's cache, shared by every request it serves. */
export const verifiedKeys = new VerifiedKeyCache();

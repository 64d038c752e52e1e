/**
 * Verified API keys, remembered by one isolate for a few seconds so that a burst of requests with the same key
 * does not pay a D1 round trip each. Only what verification needs is kept (the account and the secret's SHA-256,
 * never the secret): every request still hashes the secret it presents and compares it in constant time.
 *
 * The price is revocation latency: an isolate that verified a key keeps accepting it until its entry expires
 * (`API_KEY_CACHE_SECONDS`, 0 turns the cache off); only the isolate that served the revocation forgets it at once. Keys are immutable apart from revocation (a new secret is a
 * new key; scope and expiry are fixed at creation), so nothing else can go stale; an entry never outlives the
 * key's own expiry.
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

  /**
   * Forgets a revoked key for good (this isolate only; others keep it until their entry expires). Revocation is
   * final, so a verification still in flight from before it can never put the key back.
   */
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

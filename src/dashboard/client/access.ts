import { api } from "./api";
import { credentials } from "./session";
import type { ApiKey } from "./types";

/**
 * Whether the signed-in key may change things. A read_only key is refused every write (403, src/http/scope.ts), so
 * views leave out the buttons it could not use. Asked once per key from GET /keys, which read-only keys may list;
 * if that fails the buttons stay (the API still refuses).
 */
let cached: { apiKey: string; writable: Promise<boolean> } | null = null;

export function canWrite(): Promise<boolean> {
  const c = credentials();
  if (!c) return Promise.resolve(false);
  if (cached?.apiKey !== c.apiKey) {
    const writable = api<{ data: ApiKey[] }>("/keys").then(
      (body) => body.data.find((k) => k.id === c.apiKey)?.scope !== "read_only",
      () => true,
    );
    cached = { apiKey: c.apiKey, writable };
  }
  return cached.writable;
}

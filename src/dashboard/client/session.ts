import type { Credentials } from "./types";

/** Credentials live in this tab's sessionStorage only: never a cookie, localStorage or a URL. */
const STORE_KEY = "edgecron.dashboard.credentials";

function load(): Credentials | null {
  try {
    const c = JSON.parse(sessionStorage.getItem(STORE_KEY) ?? "null") as Partial<Credentials> | null;
    if (c && typeof c.accountId === "string" && typeof c.apiKey === "string" && typeof c.apiSecret === "string") {
      return { accountId: c.accountId, apiKey: c.apiKey, apiSecret: c.apiSecret };
    }
  } catch {}
  return null;
}

let creds = load();

export function credentials(): Credentials | null {
  return creds;
}

export function remember(c: Credentials): void {
  sessionStorage.setItem(STORE_KEY, JSON.stringify(c));
  creds = c;
}

export function forget(): void {
  sessionStorage.removeItem(STORE_KEY);
  creds = null;
}

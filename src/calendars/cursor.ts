/** A list position (created_at, id) as an opaque cursor: `c1.` + base64url of the JSON pair. */
export interface Position {
  createdAt: number;
  id: string;
}

const PREFIX = "c1.";

export function encodePosition(p: Position): string {
  return (
    PREFIX +
    btoa(JSON.stringify([p.createdAt, p.id]))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "")
  );
}

/** The position a cursor names, or null for anything but a cursor this module wrote. */
export function decodePosition(cursor: string): Position | null {
  if (cursor.length > 200 || !cursor.startsWith(PREFIX)) return null;
  try {
    const pair = JSON.parse(atob(cursor.slice(PREFIX.length).replace(/-/g, "+").replace(/_/g, "/"))) as unknown;
    if (!Array.isArray(pair) || pair.length !== 2) return null;
    const [createdAt, id] = pair as [unknown, unknown];
    if (!Number.isSafeInteger(createdAt) || typeof id !== "string" || !/^[0-9a-f-]{36}$/.test(id)) return null;
    const p = { createdAt: createdAt as number, id };
    return encodePosition(p) === cursor ? p : null;
  } catch {
    return null;
  }
}

import type { Problem } from "./types.js";

/**
 * The API answered with an error status. `problem` is its RFC 9457 document (`detail` is a human sentence,
 * `errors` names each bad field on a 400) or null when the body was not one (a proxy's error page).
 */
export class EdgecronApiError extends Error {
  override readonly name = "EdgecronApiError";
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
    readonly response: Response,
  ) {
    super(problemMessage(status, problem));
  }
}

/** The server could not be reached (DNS, refused connection, TLS, aborted request). */
export class EdgecronNetworkError extends Error {
  override readonly name = "EdgecronNetworkError";
  constructor(
    readonly url: string,
    options: { cause: unknown },
  ) {
    super(`could not reach ${url}: ${describeCause(options.cause)}`, options);
  }
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = (cause as Error & { cause?: unknown }).cause;
  const code = inner && typeof inner === "object" && "code" in inner ? String(inner.code) : null;
  return code ? `${cause.message} (${code})` : cause.message;
}

/** One line: the problem's detail, each named field, and the status. */
export function problemMessage(status: number, problem: Problem | null): string {
  if (!problem) return `HTTP ${status}`;
  const p = problem as Problem & { errors?: Array<{ field?: string; message?: string }> };
  const fields = (p.errors ?? []).map((e) => `${e.field ?? "?"}: ${e.message ?? "invalid"}`);
  const detail = p.detail ?? p.title ?? `HTTP ${status}`;
  return fields.length > 0 ? `${detail} (${fields.join("; ")})` : detail;
}

import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { FieldErrors } from "../lib/field-error";
import { MasterKeyMissingError } from "../lib/secrets/keyring";
import type { AppEnv } from "./env";
import { ProblemError, problem, problemResponse } from "./problem";
import { validationProblem } from "./validation";

/** What a client is told to wait after a D1 failure. */
export const DB_RETRY_AFTER_SECONDS = 5;

const MAX_CAUSE_DEPTH = 5;

function messageOf(e: unknown): string | undefined {
  return typeof e === "object" && e !== null && typeof (e as { message?: unknown }).message === "string"
    ? (e as { message: string }).message
    : undefined;
}

/**
 * A D1 failure: messages starting `D1_` or reading `D1 DB …`, thrown as is by batch() or wrapped by Drizzle as
 * "Failed query: …" with the D1 error as `cause` (followed a few levels).
 */
export function isD1Error(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && e; depth++) {
    const message = messageOf(e);
    if (message === undefined) return false;
    if (/^D1_[A-Z_]+/.test(message) || message.startsWith("D1 DB ")) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

function causeChain(err: unknown): string[] {
  const out: string[] = [];
  let e: unknown = err;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && e; depth++) {
    out.push(messageOf(e) ?? String(e));
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}

const HTTP_EXCEPTION_DETAILS: Record<number, string> = {
  415: "Content-Type must be application/json",
};

/**
 * app.onError: problems as thrown, domain field errors and validator errors as problems, D1 failures as 503, the
 * rest 500; details only logged.
 */
export function handleError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof ProblemError) return problemResponse(c, err.problem, err.headers);
  if (err instanceof FieldErrors) return problemResponse(c, validationProblem(err.errors));
  if (err instanceof HTTPException && err.status < 500) {
    // e.g. malformed JSON from the body validator, or 415 from the media-type gate.
    return problemResponse(
      c,
      problem(err.status, HTTP_EXCEPTION_DETAILS[err.status] ?? (err.message || "Bad request")),
    );
  }
  const requestId = c.get("requestId");
  if (err instanceof MasterKeyMissingError) {
    console.error(JSON.stringify({ event: "master_key_missing", requestId, path: c.req.path, reason: err.message }));
    return problemResponse(
      c,
      problem(503, `Secrets cannot be stored or read: ${err.message} (a Worker secret; README "Security").`, {
        title: "Secret storage unavailable",
        instance: requestId,
      }),
    );
  }
  if (isD1Error(err)) {
    console.error(JSON.stringify({ event: "d1_error", requestId, path: c.req.path, error: causeChain(err) }));
    return problemResponse(
      c,
      problem(503, "The database is temporarily unavailable. Please retry shortly.", { instance: requestId }),
      { "Retry-After": String(DB_RETRY_AFTER_SECONDS) },
    );
  }
  console.error(
    JSON.stringify({
      event: "unhandled_error",
      requestId,
      path: c.req.path,
      error: String(err),
      stack: err instanceof Error ? err.stack : undefined,
    }),
  );
  return problemResponse(c, problem(500, "An unexpected error occurred. It has been logged.", { instance: requestId }));
}

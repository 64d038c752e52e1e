import { EdgecronApiError, EdgecronNetworkError } from "../errors.js";

/**
 * The CLI's exit statuses, so scripts can branch on what went wrong without parsing text. 0 and 2 follow the
 * shell convention (success, usage error); the rest name a class of failure of the API call.
 */
export const EXIT = {
  ok: 0,
  /** An unexpected failure: a 5xx (or 503 D1 outage), a malformed answer, a local I/O error. */
  failure: 1,
  /** Bad command line: unknown command or option, missing argument, unreadable or invalid JSON file. */
  usage: 2,
  /** Not signed in, or the API refused the credentials (401) or the account (403). */
  auth: 3,
  /** The job (or route) does not exist in this account (404). */
  notFound: 4,
  /**
   * The API refused the request: validation (400), conflict such as the active-job limit (409), 413/415/431; or a
   * bulk `replay` left an id unqueued (not found, or its job cannot run).
   */
  rejected: 5,
  /** Rate limited (429): retry after the `Retry-After` the message gives. */
  rateLimited: 6,
  /** The server could not be reached. */
  network: 7,
  /** `jobs run`, `replay` (one id): the run happened but its outcome is failure, error or timeout. */
  runFailed: 8,
  /** `jobs run`, `replay` (one id): no outcome within the server's bounded wait (HTTP 202); the run continues. */
  runPending: 9,
} as const;

export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A failure that has already been described and maps to a given exit status. */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof EdgecronNetworkError) return EXIT.network;
  if (error instanceof EdgecronApiError) {
    if (error.status === 401 || error.status === 403) return EXIT.auth;
    if (error.status === 404) return EXIT.notFound;
    if (error.status === 429) return EXIT.rateLimited;
    if (error.status >= 400 && error.status < 500) return EXIT.rejected;
  }
  return EXIT.failure;
}

import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { FieldError } from "../lib/field-error";

/** RFC 9457 problem document. `detail` is what A1Cron clients read. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  421: "Misdirected Request",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

const SLUGS: Record<number, string> = {
  400: "validation-error",
  401: "unauthorized",
  403: "forbidden",
  404: "not-found",
  405: "method-not-allowed",
  406: "not-acceptable",
  409: "conflict",
  413: "payload-too-large",
  415: "unsupported-media-type",
  421: "misdirected-request",
  429: "rate-limited",
  431: "headers-too-large",
  500: "internal-error",
  503: "unavailable",
};

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export function problem(status: number, detail: string, extra: Partial<Problem> = {}): Problem {
  return {
    type: `https://edgecron.dev/problems/${SLUGS[status] ?? "error"}`,
    title: TITLES[status] ?? "Error",
    status,
    detail,
    ...extra,
  };
}

/** Thrown anywhere below a route; app.onError turns it into the problem response. */
export class ProblemError extends Error {
  constructor(
    readonly problem: Problem,
    readonly headers: Record<string, string> = {},
  ) {
    super(problem.detail);
  }
}

export function fail(status: number, detail: string, extra: Partial<Problem> = {}): never {
  throw new ProblemError(problem(status, detail, extra));
}

/** One 404 for a job that is missing, deleted or another account's: no route tells them apart. */
export const jobNotFound = (id: string): never => fail(404, `Cron job ${id} not found`);

export function problemResponse(c: Context, p: Problem, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify(p), p.status as ContentfulStatusCode, {
    "Content-Type": PROBLEM_CONTENT_TYPE,
    ...headers,
  });
}

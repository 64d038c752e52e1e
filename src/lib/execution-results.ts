import type { ExecutionResult } from "./execution";

/** The result shapes both executors produce, so a mock run and a real one read the same in the logs. */

export function failureMessage(statusCode: number): string {
  return `Endpoint returned status code ${statusCode}`;
}

export function errorResult(errorMessage: string, responseTimeMs: number | null): ExecutionResult {
  return {
    status: "error",
    responseCode: null,
    responseBody: null,
    errorMessage,
    responseTimeMs,
    retryAfterSeconds: null,
  };
}

export function timeoutResult(timeoutSeconds: number): ExecutionResult {
  return {
    status: "timeout",
    responseCode: null,
    responseBody: null,
    errorMessage: `Request timed out after ${timeoutSeconds} seconds`,
    responseTimeMs: timeoutSeconds * 1000,
    retryAfterSeconds: null,
  };
}

import type { DecidedBy, ExecutionStatus } from "../db/schema";

/** One attempt of a job's HTTP request, as the engine hands it to an executor. */
export interface ExecutionRequest {
  executionId: string;
  endpointUrl: string;
  method: string;
  /**
   * The job's headers under edgecron's identity headers; meant for endpointUrl's origin, so never sent cross-origin.
   */
  headers: Record<string, string>;
  body: string | null;
  timeoutSeconds: number;
}

/** What an attempt produced; maps 1:1 onto an execution_logs row. */
export interface ExecutionResult {
  status: ExecutionStatus;
  responseCode: number | null;
  /** At most MAX_RESPONSE_BODY_BYTES of UTF-8; null when there was no body. */
  responseBody: string | null;
  errorMessage: string | null;
  responseTimeMs: number | null;
  /** The response's allow-listed headers (src/engine/response-headers.ts); absent or null without a response. */
  responseHeaders?: Record<string, string> | null;
  /**
   * The success rule that decided the status, set after the executor returns; null for error or timeout, absent
   * before.
   */
  decidedBy?: DecidedBy | null;
  /** seconds from a 429/503 Retry-After header, else null */
  retryAfterSeconds: number | null;
}

export interface Executor {
  execute(req: ExecutionRequest): Promise<ExecutionResult>;
}

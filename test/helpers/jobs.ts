import type { TestAccount } from "./accounts";
import { api } from "./http";

/** The A1Cron quick-start example body. */
export const quickStart = () => ({
  name: "Daily Report Generator",
  description: "Generates daily sales report",
  endpoint_url: "https://api.example.com/reports/generate",
  method: "POST",
  headers: { Authorization: "Bearer token123", "Content-Type": "application/json" },
  body: '{"report_type":"daily"}',
  timezone: "America/New_York",
  schedule_config: { repeat_type: "days", repeat_every: 1, time: "09:00", end_type: "never" },
  tags: ["reports", "daily"],
  retry_config: { max_retries: 3, retry_delay_seconds: 60, timeout_seconds: 30 },
  callbacks: {
    success_url: "https://api.example.com/callbacks/success",
    failure_url: "https://api.example.com/callbacks/failure",
  },
});

export function jobsApi(acct: TestAccount) {
  const base = `/v1/cron-jobs/${acct.accountId}`;
  const send = (method: string, path: string, body?: unknown) =>
    api(`${base}${path}`, {
      method,
      headers: { ...acct.headers, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
  return {
    create: (body: unknown) => send("POST", "/create", body),
    list: (query = "") => send("GET", `/list${query}`),
    details: (id: string) => send("GET", `/details/${id}`),
    update: (id: string, body: unknown) => send("PATCH", `/update/${id}`, body),
    remove: (id: string) => send("DELETE", `/delete/${id}`),
    logs: (id: string, query = "") => send("GET", `/logs/${id}${query}`),
    send,
  };
}

/** A finished run's answer to POST /trigger: A1Cron's fields, then ours (response_time_ms, error_message). */
export const TRIGGER_RESULT_FIELDS = [
  "execution_id",
  "status",
  "response_code",
  "response_body",
  "executed_at",
  "response_time_ms",
  "error_message",
] as const;

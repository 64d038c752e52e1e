import type { CronJobRow } from "../db/schema";
import type { Keyring } from "../lib/secrets/keyring";
import type { SqlRunner } from "../shards/sql-runner";
import { type SecretColumns, sealJob, unsealJob } from "./secrets";

/** Rows per batch: each is one read and one atomic write, far under D1's 100 KB statement limit. */
export const ENCRYPT_CHUNK = 100;

interface Row {
  id: string;
  account_id: string;
  headers: string;
  body: string | null;
  endpoint_url: string;
  success_callback_url: string | null;
  failure_callback_url: string | null;
  callbacks: string;
  alert_policy: string | null;
  secret_headers: string;
  secret_query_params: string;
  body_is_secret: number;
  secrets: string | null;
}

const COLUMNS =
  "id, account_id, headers, body, endpoint_url, success_callback_url, failure_callback_url, callbacks, alert_policy, secret_headers, secret_query_params, body_is_secret, secrets";

export interface EncryptReport {
  /** Rows sealed (clear before) or re-sealed under the current master key. */
  sealed: number;
  /** Rows whose values could not be opened (a master key no longer configured): left as they are. */
  failed: string[];
  /** Rows still holding values in clear after the run: 0 means reads need not accept the clear form. */
  plaintextLeft: number;
}

/**
 * Seals rows still in clear and re-seals those under an older master key, in chunks by id, so it can stop and
 * rerun (`npm run cli -- secrets:encrypt`). Writes are conditional on the row as read; changed rows wait.
 */
export async function encryptSecrets(
  db: SqlRunner,
  keyring: Keyring,
  opts: { chunk?: number; log?: (line: string) => void } = {},
): Promise<EncryptReport> {
  const chunk = opts.chunk ?? ENCRYPT_CHUNK;
  const ring = { ok: true as const, keyring };
  const current = `"v1.${keyring.current.id}.`;
  const report: EncryptReport = { sealed: 0, failed: [], plaintextLeft: 0 };
  let after = "";
  for (;;) {
    const rows = await db.all<Row>({
      sql: `SELECT ${COLUMNS} FROM cron_jobs WHERE id > ? AND (secrets IS NULL OR (secrets <> '{}' AND instr(secrets, ?) = 0)) ORDER BY id LIMIT ?`,
      params: [after, current, chunk],
    });
    if (rows.length === 0) break;
    after = rows[rows.length - 1]?.id as string;
    const writes = [];
    for (const r of rows) {
      const row = columnsOf(r);
      try {
        const sealed = await sealJob(ring, await unsealJob(ring, row));
        writes.push({
          sql: "UPDATE cron_jobs SET headers = ?, body = ?, endpoint_url = ?, success_callback_url = ?, failure_callback_url = ?, callbacks = ?, alert_policy = ?, secrets = ? WHERE id = ? AND secrets IS ? AND headers = ?",
          params: [
            sealed.headers,
            sealed.body,
            sealed.endpointUrl,
            sealed.successCallbackUrl,
            sealed.failureCallbackUrl,
            sealed.callbacks,
            sealed.alertPolicy,
            sealed.secrets,
            r.id,
            r.secrets,
            r.headers,
          ],
        });
      } catch (err) {
        report.failed.push(r.id);
        opts.log?.(`job ${r.id}: ${(err as Error).message}`);
      }
    }
    await db.batch(writes);
    report.sealed += writes.length;
    opts.log?.(`sealed ${report.sealed} job rows so far`);
  }
  const [left] = await db.all<{ n: number }>({
    sql: "SELECT count(*) AS n FROM cron_jobs WHERE secrets IS NULL",
    params: [],
  });
  report.plaintextLeft = left?.n ?? 0;
  return report;
}

function columnsOf(r: Row): SecretColumns & Pick<CronJobRow, "id" | "accountId" | "secrets"> {
  return {
    id: r.id,
    accountId: r.account_id,
    headers: r.headers,
    body: r.body,
    endpointUrl: r.endpoint_url,
    successCallbackUrl: r.success_callback_url,
    failureCallbackUrl: r.failure_callback_url,
    callbacks: r.callbacks,
    alertPolicy: r.alert_policy,
    secretHeaders: r.secret_headers,
    secretQueryParams: r.secret_query_params,
    bodyIsSecret: r.body_is_secret === 1,
    secrets: r.secrets,
  };
}

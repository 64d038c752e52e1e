/**
 * Operator CLI: accounts and API keys against the local D1 (default) or the deployed one (--remote).
 *   npm run account:create -- --name "Acme" [--json] [--remote]
 *   npm run key:create -- --account <account_id> [--name <label>] [--scope full|read_only] [--expires <ISO date>] [--json] [--remote]
 *   npm run key:revoke -- --key <api_key> [--json] [--remote]
 *   npm run cli -- signing-secret --account <account_id> [--rotate [--grace-hours 24]] [--revoke-retired] [--json] [--remote]
 *   npm run cli -- shards [--json] [--remote]      accounts, active jobs, logs and bytes per shard
 *   npm run cli -- secrets:encrypt [--json] [--remote]   seal job secrets still in clear, re-seal after a key rotation
 *   npm run cli -- account:move --account <account_id> --to <shard> [--remote]   move an account (resumable)
 *   npm run cli -- tick | sweep [--url <server>]   (runs a trigger on the running `npm start` server, found through
 *                                                  the file it writes; a server that is not edgecron is refused)
 * Every error is one line on stderr (`error: …`) and an exit code: 1 the operation failed, 2 bad usage. Arguments:
 * node:util parseArgs (strict), the standard library's parser: enough for these flags, no dependency.
 */
import { parseArgs } from "node:util";
import {
  DEFAULT_SIGNING_SECRET_GRACE_MS,
  newAccount,
  newKey,
  revokeKeyStatement,
  revokeRetiredSigningSecretsStatements,
  rotateSigningSecretStatements,
} from "../src/accounts/provision";
import { apiKeyScopes } from "../src/db/control-schema";
import { encryptSecrets } from "../src/jobs/secrets-encrypt";
import { newSigningSecret } from "../src/lib/credentials";
import { parseInstant } from "../src/lib/dates";
import { MOVING_RETRY_SECONDS, MoveError, moveAccount } from "../src/shards/move";
import { DISPATCH_CRON, SWEEP_CRON } from "../src/triggers";
import { CONTROL, execute, executeStatements, type Target } from "./lib/d1";
import { checkEdgecron, DEV_SERVER_FILE, fireScheduled, processAlive, readDevServer } from "./lib/dev-server";
import { fail, failOnUncaught } from "./lib/fail";
import { operatorKeyring } from "./lib/master-key";
import { shardReport } from "./lib/shard-report";
import {
  migrateAll,
  provisionAccount,
  shardDatabase,
  shardDatabases,
  shardOfAccount,
  wranglerRunner,
  wranglerVar,
} from "./lib/shards";

const OPTIONS = {
  name: { type: "string" },
  account: { type: "string" },
  key: { type: "string" },
  json: { type: "boolean", default: false },
  remote: { type: "boolean", default: false },
  url: { type: "string" },
  rotate: { type: "boolean", default: false },
  "revoke-retired": { type: "boolean", default: false },
  scope: { type: "string", default: "full" },
  expires: { type: "string" },
  "grace-hours": { type: "string" },
  to: { type: "string" },
  help: { type: "boolean", default: false },
} as const;

failOnUncaught();
const { positionals, values } = parseCommandLine();

function parseCommandLine() {
  try {
    return parseArgs({ allowPositionals: true, strict: true, options: OPTIONS });
  } catch (e) {
    return fail(`${(e as Error).message} (npm run cli -- --help lists the commands)`, 2);
  }
}

const target: Target = { remote: values.remote ?? false };
const command = positionals[0];

function print(json: Record<string, unknown>, lines: string[]) {
  if (values.json) console.log(JSON.stringify(json));
  else console.log(lines.join("\n"));
}

function required(name: "name" | "account" | "key"): string {
  const v = values[name];
  if (!v) usage(`--${name} is required`);
  return v;
}

/** A usage error: one line, exit 2. */
function usage(problem: string): never {
  return fail(`${problem} (npm run cli -- --help lists the commands)`, 2);
}

function help(): never {
  console.log(
    [
      "usage: npm run cli -- <command> [options]",
      '  account:create --name "Acme"     create an account and its first API key',
      "  key:create --account <id> [--name <label>] [--scope full|read_only] [--expires <ISO date>]",
      "                                    create another API key for an account (the first one: account:create)",
      "  key:revoke --key <api_key>        revoke an API key",
      "  signing-secret --account <id> [--rotate [--grace-hours 24]]  show (or replace) the callback signing secret;",
      "                                    the old one keeps signing beside the new one for the grace (0 = hard cut:",
      "                                    every older secret stops at once)",
      "  signing-secret --account <id> --revoke-retired   stop every replaced secret signing now (after a leak)",
      "  shards                            accounts, active jobs, logs and bytes per shard database",
      "  secrets:encrypt                   seal job secrets still stored in clear and re-seal those sealed under an",
      "                                    older master key (SECRETS_MASTER_KEY[_PREVIOUS] from the environment, else",
      "                                    .dev.vars locally); batched and resumable, prints what is left in clear",
      "  account:move --account <id> --to <shard>   move an account's data to another shard: fenced, in chunks,",
      "                                    resumable (run it again after any failure)",
      "  tick | sweep [--url <server>]    run the dispatch tick / retention sweep now on the running `npm start`",
      "                                    server (found through the file it writes; --url names one)",
      "options: --json (one JSON object on stdout), --remote (the deployed D1 instead of the local one)",
      "errors: one line on stderr; exit 1 when the operation failed, 2 on bad usage",
    ].join("\n"),
  );
  process.exit(0);
}

/** Whether the control plane knows the account. */
function accountExists(accountId: string): boolean {
  if (!/^[0-9a-f-]{36}$/i.test(accountId)) return false;
  return execute(target, `SELECT id FROM accounts WHERE id = '${accountId.toLowerCase()}'`).length === 1;
}

/** The running `npm start` server: --url, else the one named in the file `npm start` writes. */
function devServerBase(): string {
  if (values.url !== undefined) {
    if (!URL.canParse(values.url)) usage(`--url must be a URL such as http://127.0.0.1:8787, not "${values.url}"`);
    return new URL(values.url).origin;
  }
  const info = readDevServer();
  if (!info) fail(`no running \`npm start\` found (${DEV_SERVER_FILE} is missing): start it, or pass --url`);
  if (!processAlive(info.pid)) fail(`the \`npm start\` recorded in ${DEV_SERVER_FILE} (pid ${info.pid}) has exited`);
  return info.base;
}

/** Runs a Cron Trigger now on the local server, after checking that the server is edgecron. */
async function trigger(cron: string) {
  if (target.remote) usage("tick/sweep run on the local dev server; the deployed Worker runs them on its own schedule");
  const base = devServerBase();
  // A busy machine, or wrangler reloading the Worker, can miss one health check: three tries over a few seconds.
  let health = await checkEdgecron(base, 5000);
  for (let i = 0; i < 2 && !health.ok && health.reason === "unreachable"; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    health = await checkEdgecron(base, 5000);
  }
  if (!health.ok && health.reason === "unreachable") fail(`could not reach ${base}: is \`npm start\` running?`);
  if (!health.ok)
    fail(`${base} is not an edgecron server (its /health is not edgecron's); refusing to fire a trigger there`);
  const now = Date.now();
  const result = await fireScheduled(base, cron, now);
  if (!result.ok) fail(`the scheduled handler failed on ${base} (${result.outcome}); the server's log shows why`);
  print({ cron, base, scheduled_time: new Date(now).toISOString(), ok: true }, [
    `Ran "${cron}" on ${base}; the server's log shows the report.`,
  ]);
}

async function main() {
  // `help` as well as `--help`: the customer CLI (`npx edgecron help`) takes the word.
  if (values.help || command === "help") help();
  if (command === "tick") return trigger(DISPATCH_CRON);
  if (command === "sweep") return trigger(SWEEP_CRON);
  if (
    ![
      "account:create",
      "key:create",
      "key:revoke",
      "signing-secret",
      "shards",
      "account:move",
      "secrets:encrypt",
    ].includes(command ?? "")
  ) {
    usage(command ? `unknown command "${command}"` : "no command given");
  }
  if (!target.remote) migrateAll(target);
  const now = Date.now();
  switch (command) {
    case "account:create": {
      const name = required("name").trim();
      if (name.length === 0 || name.length > 200) usage("--name must be 1–200 characters");
      const a = await newAccount(name, now);
      const shard = provisionAccount(target, a);
      print(
        {
          account_id: a.account_id,
          shard,
          name: a.name,
          api_key: a.api_key,
          api_secret: a.api_secret,
          signing_secret: a.signing_secret,
        },
        [
          `Account created: ${a.name}`,
          `  account_id:     ${a.account_id}`,
          `  shard:          SHARD_${shard}`,
          `  api_key:        ${a.api_key}`,
          `  api_secret:     ${a.api_secret}   (shown once: store it now)`,
          `  signing_secret: ${a.signing_secret}   (verifies callback signatures)`,
        ],
      );
      return;
    }
    case "key:create": {
      const accountId = required("account").toLowerCase();
      if (!accountExists(accountId)) usage(`no account ${accountId}`);
      const scope = apiKeyScopes.find((s) => s === values.scope);
      if (!scope) usage("--scope must be full or read_only");
      const expiresAt = values.expires === undefined ? null : (parseInstant(values.expires)?.start ?? NaN);
      if (expiresAt !== null && !(expiresAt > now)) usage("--expires must be a future ISO 8601 date or date-time");
      const k = await newKey(accountId, now, {}, { name: values.name ?? "", scope, expiresAt });
      executeStatements(target, k.statements);
      print({ account_id: accountId, api_key: k.api_key, api_secret: k.api_secret }, [
        `API key created for ${accountId}`,
        `  api_key:    ${k.api_key}`,
        `  api_secret: ${k.api_secret}   (shown once: store it now)`,
      ]);
      return;
    }
    case "key:revoke": {
      const key = required("key");
      const s = revokeKeyStatement(key, now);
      executeStatements(target, [s]);
      const [row] = execute<{ account_id: string; revoked_at: number | null }>(
        target,
        `SELECT account_id, revoked_at FROM api_keys WHERE id = '${key.replace(/'/g, "''")}'`,
      );
      if (!row) usage(`no API key ${key}`);
      print({ api_key: key, account_id: row.account_id, revoked_at: new Date(row.revoked_at ?? now).toISOString() }, [
        `API key ${key} revoked (Workers that verified it in the last API_KEY_CACHE_SECONDS may accept it until then)`,
      ]);
      return;
    }
    case "signing-secret": {
      const accountId = required("account").toLowerCase();
      if (!accountExists(accountId)) usage(`no account ${accountId}`);
      const shard = shardDatabase(shardOfAccount(target, accountId) ?? 0);
      const graceHours = Number(values["grace-hours"] ?? DEFAULT_SIGNING_SECRET_GRACE_MS / 3_600_000);
      if (!(graceHours >= 0 && graceHours <= 720)) usage("--grace-hours must be a number from 0 to 720");
      if (values.rotate) {
        executeStatements(
          target,
          rotateSigningSecretStatements(accountId, newSigningSecret(), now, Math.round(graceHours * 3_600_000)),
          shard,
        );
      }
      if (values["revoke-retired"]) executeStatements(target, revokeRetiredSigningSecretsStatements(accountId), shard);
      const [row] = execute<{ signing_secret: string }>(
        target,
        `SELECT signing_secret FROM accounts WHERE id = '${accountId}'`,
        shard,
      );
      const revokedRetired = values["revoke-retired"] ?? false;
      print(
        {
          account_id: accountId,
          signing_secret: row?.signing_secret,
          rotated: values.rotate ?? false,
          revoked_retired: revokedRetired,
        },
        [
          `${values.rotate ? "New signing" : "Signing"} secret for ${accountId}: ${row?.signing_secret}`,
          ...(revokedRetired ? ["Replaced secrets no longer sign: only this one does."] : []),
        ],
      );
      return;
    }
    case "account:move": {
      const accountId = required("account").toLowerCase();
      if (!accountExists(accountId)) usage(`no account ${accountId}`);
      const to = Number(values.to);
      if (values.to === undefined || !Number.isInteger(to))
        usage("--to must be a shard number (npm run cli -- shards)");
      const report = await moveAccount(
        {
          control: wranglerRunner(target, CONTROL),
          shard: (n) => wranglerRunner(target, shardDatabase(n)),
          shards: shardDatabases().length,
          now: () => Date.now(),
          sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
          directoryCacheMs: Number(wranglerVar("DIRECTORY_CACHE_SECONDS") ?? 10) * 1000,
          queueDelayMs: MOVING_RETRY_SECONDS * 1000,
          chunk: 1000,
          log: values.json ? undefined : (line) => console.log(line),
        },
        accountId,
        to,
      ).catch((e: unknown) => (e instanceof MoveError ? fail(e.message) : Promise.reject(e)));
      print({ ...report }, [
        `Moved ${accountId} from shard ${report.from} to shard ${report.to} (${report.logs} logs).`,
      ]);
      return;
    }
    case "secrets:encrypt": {
      const keyring = operatorKeyring(target);
      const shards = [];
      for (const database of shardDatabases()) {
        const report = await encryptSecrets(wranglerRunner(target, database), keyring, {
          log: values.json ? undefined : (line) => console.log(`${database}: ${line}`),
        });
        shards.push({ database, ...report });
      }
      print(
        { shards },
        shards.map(
          (r) =>
            `${r.database}: ${r.sealed} job rows sealed, ${r.failed.length} could not be opened, ${r.plaintextLeft} left in clear`,
        ),
      );
      if (shards.some((r) => r.failed.length > 0)) process.exitCode = 1;
      return;
    }
    case "shards": {
      const rows = await shardReport(target);
      print({ shards: rows }, [
        "shard     accounts  active jobs        logs        bytes",
        ...rows.map(
          (r) =>
            `${r.database.padEnd(9)} ${String(r.accounts).padStart(8)} ${String(r.active_jobs).padStart(12)} ${String(r.logs).padStart(11)} ${String(r.bytes).padStart(12)}`,
        ),
      ]);
      return;
    }
    default:
      usage(command ? `unknown command "${command}"` : "no command given");
  }
}

main().catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));

/**
 * Where `edgecron login` keeps the API URL, account id, key and secret: `$EDGECRON_CONFIG`, else
 * `$XDG_CONFIG_HOME/edgecron/credentials.json`, else `~/.config/edgecron/credentials.json` (XDG Base Directory).
 * The file is created with mode 0600 in a 0700 directory (written to a temporary file of that mode and renamed,
 * so the secret is never readable by others, even for a moment), and re-chmodded if it already existed.
 * `EDGECRON_URL`, `EDGECRON_ACCOUNT_ID`, `EDGECRON_API_KEY`, `EDGECRON_API_SECRET` override the file (CI).
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { CliError, EXIT } from "./exit-codes.js";

export interface Credentials {
  url: string;
  account_id: string;
  api_key: string;
  api_secret: string;
}

type Env = Record<string, string | undefined>;

export function credentialsPath(env: Env): string {
  if (env.EDGECRON_CONFIG) return env.EDGECRON_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return join(base, "edgecron", "credentials.json");
}

function readStored(path: string): Partial<Credentials> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return {};
  }
  try {
    return JSON.parse(text) as Partial<Credentials>;
  } catch {
    throw new CliError(`${path} is not valid JSON: run \`edgecron login\` again`, EXIT.failure);
  }
}

/** Stored credentials with the environment's overrides; throws (exit 3) when something is missing. */
export function loadCredentials(env: Env, overrides: { url?: string; account?: string } = {}): Credentials {
  const path = credentialsPath(env);
  const stored = readStored(path);
  const creds = {
    url: overrides.url ?? env.EDGECRON_URL ?? stored.url,
    account_id: overrides.account ?? env.EDGECRON_ACCOUNT_ID ?? stored.account_id,
    api_key: env.EDGECRON_API_KEY ?? stored.api_key,
    api_secret: env.EDGECRON_API_SECRET ?? stored.api_secret,
  };
  const missing = Object.entries(creds)
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (missing.length > 0) {
    throw new CliError(
      `not signed in (no ${missing.join(", ")} in ${path} or the environment): run \`edgecron login\``,
      EXIT.auth,
    );
  }
  return creds as Credentials;
}

export function saveCredentials(env: Env, creds: Credentials): string {
  const path = credentialsPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600); // the umask can only remove bits, but an existing tmp file keeps its mode
  renameSync(tmp, path);
  return path;
}

export function deleteCredentials(env: Env): { path: string; existed: boolean } {
  const path = credentialsPath(env);
  const existed = Object.keys(readStored(path)).length > 0;
  rmSync(path, { force: true });
  return { path, existed };
}

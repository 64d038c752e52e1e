import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inlineStatement, type Statement } from "../../src/accounts/provision";

/** Where operator commands run: the local D1 of `wrangler dev`, or the deployed one with --remote. */
export interface Target {
  remote: boolean;
}

export const offlineEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};

const DATABASE = "edgecron";

export function wrangler(args: string[], opts: { quiet?: boolean } = {}) {
  const res = spawnSync("npx", ["--no-install", "wrangler", ...args], {
    env: offlineEnv,
    encoding: "utf8",
    stdio: opts.quiet ? ["ignore", "pipe", "pipe"] : ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.status !== 0) {
    throw new Error(`wrangler ${args.slice(0, 3).join(" ")} failed:\n${res.stdout ?? ""}${res.stderr ?? ""}`);
  }
  return res.stdout;
}

export function migrate(target: Target) {
  wrangler(["d1", "migrations", "apply", DATABASE, target.remote ? "--remote" : "--local"], { quiet: true });
}

/** Runs SQL (one or more statements) and returns the rows of the last statement. */
export function execute<T = Record<string, unknown>>(target: Target, sql: string): T[] {
  const dir = mkdtempSync(join(tmpdir(), "edgecron-sql-"));
  try {
    const file = join(dir, "q.sql");
    writeFileSync(file, sql);
    const out = wrangler(
      ["d1", "execute", DATABASE, target.remote ? "--remote" : "--local", "--json", "--file", file],
      {
        quiet: true,
      },
    );
    const parsed = JSON.parse(out.slice(out.indexOf("["))) as Array<{ results?: T[] }>;
    return parsed.at(-1)?.results ?? [];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function executeStatements(target: Target, statements: Statement[]) {
  return execute(target, statements.map((s) => `${inlineStatement(s)};`).join("\n"));
}

/**
 * The OpenAPI document the Worker serves at /openapi.json, built in-process (no server, no network):
 *   npm run openapi -- [--origin <url>] [--out <file>]   print it (or write it to a file)
 *   npm run openapi:lint                                  lint it with Redocly's recommended rules (CI runs this)
 * `servers` names the deployment's PUBLIC_ORIGIN; --origin sets it (default http://localhost:8787, PUBLIC_ORIGIN's).
 * The lint uses the production placeholder origin: Redocly rightly warns about localhost in `servers`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { fail } from "./lib/fail";

const LINT_ORIGIN = "https://edgecron.your-subdomain.workers.dev";

const { values } = parseArgsOrFail();
const origin = values.origin ?? (values.lint ? LINT_ORIGIN : "http://localhost:8787");
if (!URL.canParse(origin)) fail(`--origin must be a URL such as ${LINT_ORIGIN}`, 2);
const doc = `${JSON.stringify(await documentFrom(origin), null, 2)}\n`;

if (values.lint) {
  const dir = mkdtempSync(join(tmpdir(), "edgecron-openapi-"));
  const file = join(dir, "openapi.json");
  writeFileSync(file, doc);
  const res = spawnSync("npx", ["--no-install", "redocly", "lint", "--config", "redocly.yaml", file], {
    stdio: "inherit",
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
  });
  rmSync(dir, { recursive: true, force: true });
  process.exit(res.status ?? 1);
} else if (values.out) {
  writeFileSync(resolve(values.out), doc);
} else {
  process.stdout.on("error", () => process.exit(0)); // a closed pipe (`| head`) is not an error
  process.stdout.write(doc);
}

function parseArgsOrFail() {
  try {
    return parseArgs({
      options: { origin: { type: "string" }, out: { type: "string" }, lint: { type: "boolean", default: false } },
    });
  } catch (e) {
    return fail(`${(e as Error).message} (usage: npm run openapi -- [--origin <url>] [--out <file>] | --lint)`, 2);
  }
}

/** The app module is loaded by path so this script's typecheck does not pull in the Worker's runtime types. */
async function documentFrom(base: string): Promise<unknown> {
  const appModule = resolve(import.meta.dirname, "../src/app.ts");
  const { createApp } = (await import(appModule)) as {
    createApp(): { request(url: string, init: RequestInit, env: object): Response | Promise<Response> };
  };
  // The Worker names PUBLIC_ORIGIN in `servers`, not the origin a request was sent to.
  const publicOrigin = { PUBLIC_ORIGIN: new URL(base).origin };
  const res = await createApp().request(new URL("/openapi.json", base).href, {}, publicOrigin);
  if (!res.ok) fail(`GET /openapi.json answered ${res.status}`);
  return res.json();
}

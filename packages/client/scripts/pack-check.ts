/**
 * `npm run client:pack-check` (from the repository root; CI runs it): what a customer gets from the tarball.
 * Packs packages/client with `npm pack`, installs the tarball into an empty project (its dependencies from the
 * registry), runs the linked `edgecron help`, imports the package at run time and compiles a typed import with
 * the repository's own TypeScript (strict, `nodenext`, no skipLibCheck: the shipped .d.ts files must compile).
 * Exits 1 with the failing step's output; the temporary directory is kept then, removed on success.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ROOT = resolve(PACKAGE, "../..");
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");

/**
 * `npm run` exports its config as npm_* variables; npm_config_local_prefix alone would make the child npm
 * treat this repository as its project. Keep only what reaches the registry (docs.npmjs.com/cli/using-npm/config).
 */
const KEEP = new Set(["cache", "userconfig", "globalconfig", "registry", "cafile", "strict_ssl"]);
const KEEP_PROXY = /^(https_)?proxy$|^noproxy$/;
const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => {
    const k = key.toLowerCase();
    if (!k.startsWith("npm_")) return true;
    const name = k.slice("npm_config_".length);
    return k.startsWith("npm_config_") && (KEEP.has(name) || KEEP_PROXY.test(name));
  }),
);

const work = mkdtempSync(join(tmpdir(), "edgecron-pack-check-"));
const started = Date.now();

function step(what: string, command: string, args: string[], cwd: string): string {
  const t = Date.now();
  const r = spawnSync(command, args, { cwd, env, encoding: "utf8" });
  if (r.status !== 0) {
    process.stderr.write(`pack-check: ${what} failed (${command} ${args.join(" ")}, in ${cwd})\n`);
    process.stderr.write(`${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}\n`);
    process.stderr.write(`pack-check: kept ${work}\n`);
    process.exit(1);
  }
  console.log(`pack-check: ${what}: ok (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  return r.stdout;
}

function fail(message: string): never {
  process.stderr.write(`pack-check: ${message}\npack-check: kept ${work}\n`);
  process.exit(1);
}

// `npm pack` runs the package's `prepare` (the build), as `npm publish` would.
const packDir = join(work, "pack");
mkdirSync(packDir);
const packed = JSON.parse(
  step("npm pack", "npm", ["pack", "--json", "--pack-destination", packDir, "-w", "@edgecron/client"], ROOT),
) as { filename: string; files: { path: string }[] }[];
const tarball = join(packDir, packed[0]?.filename ?? fail("npm pack reported no tarball"));
const shipped = new Set(packed[0]?.files.map((f) => f.path));
for (const f of ["dist/cli.js", "dist/index.js", "dist/index.d.ts", "dist/schema.d.ts", "dist/signatures.d.ts"]) {
  if (!shipped.has(f)) fail(`the tarball lacks ${f}`);
}

const app = join(work, "app");
mkdirSync(app);
writeFileSync(join(app, "package.json"), `${JSON.stringify({ name: "app", private: true, type: "module" })}\n`);
step("npm install <tarball>", "npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], app);

const bin = join(app, "node_modules/.bin/edgecron");
if (!existsSync(bin)) fail("npm install linked no node_modules/.bin/edgecron");
const help = step("npx edgecron help", "npx", ["--no-install", "edgecron", "help"], app);
if (!help.startsWith("usage: edgecron")) fail(`edgecron help printed:\n${help}`);

// Run time: both entry points resolve through `exports` and export what the README shows.
const runtime = [
  'import { EdgecronClient } from "@edgecron/client";',
  'import { verifyCallbackSignature } from "@edgecron/client/signatures";',
  'if (typeof EdgecronClient !== "function" || typeof verifyCallbackSignature !== "function") process.exit(1);',
].join("\n");
step("import at run time", process.execPath, ["--input-type=module", "-e", runtime], app);

// Compile time: the @ts-expect-error line fails the build if the package's types resolve to `any`.
writeFileSync(
  join(app, "index.ts"),
  [
    'import { EdgecronClient, type Job } from "@edgecron/client";',
    'import { verifyCallbackSignature } from "@edgecron/client/signatures";',
    "",
    "const client = new EdgecronClient({",
    '  baseUrl: "http://127.0.0.1:8787",',
    '  accountId: "00000000-0000-4000-8000-00000000de00",',
    '  apiKey: "ek_demo_local_only",',
    '  apiSecret: "es_demo_local_only_do_not_use_in_production",',
    "});",
    "export async function names(): Promise<string[]> {",
    "  const page = await client.listJobs({ limit: 5 });",
    "  const jobs: Job[] = page.data;",
    "  return jobs.map((job) => job.name);",
    "}",
    "// @ts-expect-error a job's name is a string",
    "export const wrong: Job['name'] = 42;",
    "export const verify: typeof verifyCallbackSignature = verifyCallbackSignature;",
    "",
  ].join("\n"),
);
writeFileSync(
  join(app, "tsconfig.json"),
  `${JSON.stringify({
    compilerOptions: {
      target: "es2022",
      lib: ["es2023", "dom", "dom.iterable"],
      module: "nodenext",
      moduleResolution: "nodenext",
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      skipDefaultLibCheck: true,
      types: [],
    },
    files: ["index.ts"],
  })}\n`,
);
step("tsc (typed import)", process.execPath, [TSC, "-p", app], app);

rmSync(work, { recursive: true, force: true });
console.log(`pack-check: ok in ${((Date.now() - started) / 1000).toFixed(1)} s`);

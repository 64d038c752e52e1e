import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { main } from "../../src/cli/main.js";

/** Runs the CLI in-process with empty stdin and its own credentials file; returns the exit status and both outputs. */
export async function runCli(argv: string[], env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "edgecron-cli-"));
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c) => {
    out += c;
  });
  stderr.on("data", (c) => {
    err += c;
  });
  const stdin = new PassThrough();
  stdin.end();
  const code = await main(argv, { stdout, stderr, stdin, env: { EDGECRON_CONFIG: join(dir, "c.json"), ...env } });
  return { code, out, err };
}

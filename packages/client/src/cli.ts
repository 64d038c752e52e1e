#!/usr/bin/env node
/** The `edgecron` command (see cli/main.ts and the package README). */
import { main } from "./cli/main.js";
import { endQuietlyOnClosedPipe } from "./cli/output.js";

for (const stream of [process.stdout, process.stderr]) endQuietlyOnClosedPipe(stream, (code) => process.exit(code));

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
});

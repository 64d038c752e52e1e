/**
 * The one way a script reports a problem: one line on stderr, `error: <message>`, and an exit code — never a
 * stack trace. Exit codes: 1 the operation failed (server unreachable, not found, refused), 2 bad usage.
 */
export function fail(message: string, code: 1 | 2 = 1): never {
  process.stderr.write(`error: ${oneLine(message)}\n`);
  process.exit(code);
}

/** A multi-line message as one line; for wrangler's failures (many lines of output), its `[ERROR]` line. */
export function oneLine(message: string): string {
  const lines = message.split("\n").filter((l) => l.trim());
  const wranglerError = lines.find((l) => l.includes("[ERROR]"))?.replace(/^.*\[ERROR\]\s*/, "");
  return (wranglerError ?? lines.join(" ")).replace(/\s+/g, " ").trim() || "failed";
}

/** Turns anything thrown at the top level into one `error:` line (exit 1). */
export function failOnUncaught() {
  const handler = (e: unknown) => fail(e instanceof Error ? e.message : String(e));
  process.on("uncaughtException", handler);
  process.on("unhandledRejection", handler);
}

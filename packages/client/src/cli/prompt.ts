import { CliError } from "./exit-codes.js";
import type { Io } from "./output.js";

/**
 * The API secret for `login`: typed at a terminal without echo, or the first line of piped standard input
 * (`printf %s "$SECRET" | edgecron login …`), so it never has to appear in argv or the shell history.
 */
export async function readSecret(io: Io, prompt: string): Promise<string> {
  const stdin = io.stdin;
  if (stdin.isTTY && stdin.setRawMode) return readHidden(io, prompt);
  let text = "";
  stdin.setEncoding?.("utf8");
  for await (const chunk of stdin) text += String(chunk);
  return (text.split(/\r?\n/)[0] ?? "").trim();
}

function readHidden(io: Io, prompt: string): Promise<string> {
  const stdin = io.stdin as NodeJS.ReadStream;
  io.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  return new Promise((resolve, reject) => {
    let secret = "";
    const finish = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      io.stderr.write("\n");
      if (err) reject(err);
      else resolve(secret.trim());
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") return finish();
        if (ch === "\u0003") return finish(new CliError("cancelled", 130));
        if (ch === "\u007f" || ch === "\b") secret = secret.slice(0, -1);
        else secret += ch;
      }
    };
    stdin.on("data", onData);
  });
}

import { readFileSync } from "node:fs";
import { UsageError } from "./exit-codes.js";

/** A file's text (`-`: standard input); a usage error naming the file when it cannot be read. */
export function readText(path: string): string {
  try {
    return readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** A file's JSON (`-`: standard input); a usage error naming the file when it cannot be read or parsed. */
export function readJson<T>(path: string): T {
  const text = readText(path);
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new UsageError(`${path === "-" ? "standard input" : path} is not valid JSON: ${(e as Error).message}`);
  }
}

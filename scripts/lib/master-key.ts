import { readFileSync } from "node:fs";
import { type Keyring, MASTER_KEY_VAR, PREVIOUS_MASTER_KEYS_VAR, parseKeyring } from "../../src/lib/secrets/keyring";
import type { Target } from "./d1";
import { fail } from "./fail";

/** `KEY=value` lines of the committed .dev.vars (local only: it is never deployed). */
function devVars(): Record<string, string> {
  try {
    const text = readFileSync(new URL("../../.dev.vars", import.meta.url), "utf8");
    return Object.fromEntries(
      text
        .split("\n")
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1).trim()]),
    );
  } catch {
    return {};
  }
}

/**
 * The master keys an operator command seals with: the environment's (the deployed Worker secret cannot be read
 * back, so the operator supplies it), else, for the local D1 only, the committed .dev.vars.
 */
export function operatorKeyring(target: Target): Keyring {
  const local = target.remote ? {} : devVars();
  const status = parseKeyring(
    process.env[MASTER_KEY_VAR] ?? local[MASTER_KEY_VAR],
    process.env[PREVIOUS_MASTER_KEYS_VAR] ?? local[PREVIOUS_MASTER_KEYS_VAR],
  );
  if (!status.ok) return fail(`${status.reason}: set it in the environment (the value given to wrangler secret put)`);
  return status.keyring;
}

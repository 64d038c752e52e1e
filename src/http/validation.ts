import type { Context } from "hono";
import type { z } from "zod";
import type { FieldError } from "../lib/field-error";
import { ProblemError, problem, problemResponse } from "./problem";

const TARGETS: Record<string, FieldError["in"]> = {
  param: "path",
  query: "query",
  header: "header",
  json: "body",
  form: "body",
};

type Issue = z.ZodError["issues"][number];

/**
 * The one union branch the input's type chose (every other refused the type itself), or null. zod reports a union
 * whose branches all abort (an over-long list, a wrong element type) as a bare "Invalid input"; this branch's
 * issues name the field and the rule.
 */
function chosenBranch(issue: Issue): Issue[] | null {
  if (issue.code !== "invalid_union") return null;
  const typed = issue.errors.filter((b) => !b.some((i) => i.path.length === 0 && i.code === "invalid_type"));
  return typed.length === 1 ? (typed[0] ?? null) : null;
}

/** Flattens zod issues into one entry per bad field (unknown keys each get their own). */
export function fieldErrors(error: z.ZodError, where: FieldError["in"]): FieldError[] {
  return flatten(error.issues, [], where);
}

function flatten(issues: readonly Issue[], prefix: PropertyKey[], where: FieldError["in"]): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    const branch = chosenBranch(issue);
    if (branch) {
      out.push(...flatten(branch, path, where));
      continue;
    }
    const base = path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        out.push({ field: base ? `${base}.${key}` : key, in: where, message: "Unknown field" });
      }
      continue;
    }
    out.push({ field: base || "(root)", in: where, message: issue.message });
  }
  return out;
}

export function validationProblem(errors: FieldError[]) {
  const names = [...new Set(errors.map((e) => e.field))];
  const detail =
    errors.length === 1 && errors[0]
      ? `Invalid ${errors[0].in} parameter '${errors[0].field}': ${errors[0].message}`
      : `Invalid request: ${names.map((n) => `'${n}'`).join(", ")}`;
  return problem(400, detail, { errors });
}

/** Throws the 400 validation problem for checks made after the schema (the same shape), if there are errors. */
export function refuseAtTheDoor(found: Array<FieldError | null>): void {
  const errors = found.filter((e) => e !== null);
  if (errors.length > 0) throw new ProblemError(validationProblem(errors));
}

/** The default hook of every route: zod failures become one 400 problem naming each field. */
export function validationHook(
  result: { success: true } | { success: false; error: z.ZodError; target: string },
  c: Context,
) {
  if (!result.success) {
    const where = TARGETS[result.target] ?? "body";
    let errors = fieldErrors(result.error, where);
    if (where === "query") errors = errors.map((e) => withRepeatedQueryValues(e, c.req.queries(e.field) ?? []));
    return problemResponse(c, validationProblem(errors));
  }
}

/** Field checks of the raw JSON body that cannot be schema refinements (they read the env), run beside the schema. */
export type RawBodyCheck = (body: unknown, c: Context) => FieldError[] | Promise<FieldError[]>;

/**
 * validationHook that, when the body fails its schema, adds `check`'s findings on fields the schema did not
 * already name: one 400 names every bad field, not those a second request would find.
 */
export function validationHookWith(check: RawBodyCheck) {
  return async (
    result: { success: true } | { success: false; error: z.ZodError; target: string },
    c: Context,
    // biome-ignore lint/suspicious/noExplicitAny: it answers a problem, never the route's typed success.
  ): Promise<any> => {
    if (result.success || result.target !== "json") return validationHook(result, c);
    const errors = fieldErrors(result.error, "body");
    const named = new Set(errors.map((e) => e.field));
    const body: unknown = await c.req.json().catch(() => undefined);
    errors.push(...(await check(body, c)).filter((e) => !named.has(e.field)));
    return problemResponse(c, validationProblem(errors));
  };
}

/** A value as sent, quoted, cut to 64 characters: how error messages name what they refuse. */
export const quoteSent = (v: string) => JSON.stringify(v.length > 64 ? `${v.slice(0, 64)}…` : v);

/**
 * A query parameter given more than once arrives as a list, which no single-value schema accepts: the error says
 * it was repeated, and with what, before what the parameter allows.
 */
export function withRepeatedQueryValues(error: FieldError, values: string[]): FieldError {
  if (values.length < 2) return error;
  const sent = values.slice(0, 5).map(quoteSent).join(", ");
  // zod's own "expected string, received array" says nothing the repetition does not.
  const allows = /received array$/.test(error.message) ? "" : `; ${error.message}`;
  return { ...error, message: `was given ${values.length} times (${sent}): send one value${allows}` };
}

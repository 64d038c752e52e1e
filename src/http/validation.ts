import type { Context } from "hono";
import type { z } from "zod";
import { type FieldError, problem, problemResponse } from "./problem";

const TARGETS: Record<string, FieldError["in"]> = {
  param: "path",
  query: "query",
  header: "header",
  json: "body",
  form: "body",
};

/** Flattens zod issues into one entry per bad field (unknown keys each get their own). */
export function fieldErrors(error: z.ZodError, where: FieldError["in"]): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String).join(".");
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

/** The default hook of every route: zod failures become one 400 problem naming each field. */
export function validationHook(
  result: { success: true } | { success: false; error: z.ZodError; target: string },
  c: Context,
) {
  if (!result.success) {
    const where = TARGETS[result.target] ?? "body";
    return problemResponse(c, validationProblem(fieldErrors(result.error, where)));
  }
}

import type { CronJobRow } from "../db/schema";
import { encodeSingleByte, requestCharset } from "../lib/charset";
import type { FieldError } from "../lib/field-error";

/**
 * What a job's request must be so it goes out as declared: header names unique regardless of case (RFC 9110 §5.1),
 * and a body the declared charset can carry. A create or update is refused over a field it sends; a job stored
 * before these checks keeps running as it did, and its job object lists the same findings as `warnings`.
 */

export interface RequestFields {
  headers: Record<string, string>;
  secretHeaders: string[];
  body: string | null;
  bodyIsSecret: boolean;
}

type Part = "headers" | "secretHeaders" | "body";

interface Finding {
  field: string;
  /** The field's part: a refusal names only the parts a request sends. */
  part: Part;
  problem: string;
  /** How a stored job with this finding is sent. */
  sent: string;
  fix: string;
}

/** One warning on a job object: the field as a request would name it, and what it means for the requests. */
export interface JobWarning {
  field: string;
  message: string;
}

/** Groups of distinct names equal but for case, in the order first seen; names without a twin are left out. */
export function caseTwins(names: readonly string[]): string[][] {
  const groups = new Map<string, string[]>();
  for (const name of new Set(names)) {
    const key = name.toLowerCase();
    groups.set(key, [...(groups.get(key) ?? []), name]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

const quoted = (names: string[]) => names.map((n) => JSON.stringify(n)).join(", ");
const clip = (s: string) => (s.length > 64 ? `${s.slice(0, 64)}…` : s);

function findings(f: RequestFields): Finding[] {
  const out: Finding[] = [];
  for (const group of caseTwins(Object.keys(f.headers))) {
    for (const name of group) {
      out.push({
        field: `headers.${name}`,
        part: "headers",
        problem: `differs only in case from ${quoted(group.filter((n) => n !== name))} (header names are case-insensitive)`,
        sent: "all are sent as one header, their values joined with commas",
        fix: "keep one of them",
      });
    }
  }
  for (const group of caseTwins(f.secretHeaders)) {
    for (const name of group) {
      out.push({
        field: `secret_headers.${f.secretHeaders.indexOf(name)}`,
        part: "secretHeaders",
        problem: `${JSON.stringify(name)} differs only in case from ${quoted(group.filter((n) => n !== name))} (header names are case-insensitive)`,
        sent: "they name the same header",
        fix: "list the name once",
      });
    }
  }
  const contentType = Object.entries(f.headers).find(([name]) => name.toLowerCase() === "content-type");
  if (!contentType) return out;
  const [name, value] = contentType;
  const charset = requestCharset(value);
  if (charset.kind === "unsupported") {
    out.push({
      field: `headers.${name}`,
      part: "headers",
      problem: `declares charset=${clip(charset.label)}, which edgecron does not encode bodies in (it sends UTF-8, or a WHATWG single-byte encoding such as iso-8859-1, windows-1251 or koi8-r)`,
      sent: "the body is sent as UTF-8",
      fix: "declare one of those, or charset=utf-8",
    });
  }
  if (charset.kind === "single-byte" && f.body) {
    const encoded = encodeSingleByte(f.body, charset.encoding);
    if (!encoded.ok) {
      // A secret body's characters are not repeated back.
      const which = f.bodyIsSecret ? "a character" : `${JSON.stringify(encoded.char)} (${encoded.codePoint})`;
      out.push({
        field: "body",
        part: "body",
        problem: `has ${which} at character ${encoded.position} that ${charset.encoding} cannot encode (headers.${name} declares charset=${charset.label})`,
        sent: "the body is sent as UTF-8",
        fix: "remove it, or declare charset=utf-8",
      });
    }
  }
  return out;
}

/** A create's request fields, as it sends them. */
export function createdRequestFields(input: {
  headers?: Record<string, string>;
  secret_headers?: string[];
  body?: string | null;
  body_is_secret?: boolean;
}): RequestFields {
  return {
    headers: input.headers ?? {},
    secretHeaders: input.secret_headers ?? [],
    body: input.body ?? null,
    bodyIsSecret: input.body_is_secret ?? false,
  };
}

/** A create's request fields from its body as sent (before its schema), the parts of the wrong type left out. */
export function sentRequestFields(body: unknown): RequestFields {
  const b = body !== null && typeof body === "object" ? (body as Record<string, unknown>) : {};
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === "string");
  const headers =
    b.headers !== null &&
    typeof b.headers === "object" &&
    !Array.isArray(b.headers) &&
    strings(Object.values(b.headers))
      ? (b.headers as Record<string, string>)
      : {};
  return {
    headers,
    secretHeaders: strings(b.secret_headers) ? b.secret_headers : [],
    body: typeof b.body === "string" ? b.body : null,
    bodyIsSecret: b.body_is_secret === true,
  };
}

/**
 * The refusals for a create (every part) or an update (`changed`: the parts it sends with a new value; the body is
 * checked again when the headers change its charset).
 */
export function requestErrors(fields: RequestFields, changed?: Record<Part, boolean>): FieldError[] {
  const applies = (part: Part) => !changed || changed[part] || (part === "body" && changed.headers);
  return findings(fields)
    .filter((f) => applies(f.part))
    .map((f) => ({ field: f.field, in: "body" as const, message: `${f.problem}: ${f.fix}` }));
}

/** A stored job's findings, worded as what happens on each run; from the redacted row, so no secret shows. */
export function jobWarnings(
  row: Pick<CronJobRow, "headers" | "secretHeaders" | "body" | "bodyIsSecret">,
): JobWarning[] {
  const fields: RequestFields = {
    headers: JSON.parse(row.headers) as Record<string, string>,
    secretHeaders: JSON.parse(row.secretHeaders) as string[],
    // A redacted secret body is a token, not the text that is sent: it cannot be checked here.
    body: row.bodyIsSecret ? null : row.body,
    bodyIsSecret: row.bodyIsSecret,
  };
  return findings(fields).map((f) => ({
    field: f.field,
    message: `${f.problem}: ${f.sent}; a create or update sending this is refused (${f.fix})`,
  }));
}

/** The update's fields after it applies, and which parts it really changes (an echoed value changes nothing). */
export function updatedRequestFields(
  stored: Pick<CronJobRow, "headers" | "secretHeaders" | "body" | "bodyIsSecret">,
  input: {
    headers?: Record<string, string>;
    secret_headers?: string[];
    body?: string | null;
    body_is_secret?: boolean;
  },
): { fields: RequestFields; changed: Record<Part, boolean> } {
  const headers = JSON.parse(stored.headers) as Record<string, string>;
  const secretHeaders = JSON.parse(stored.secretHeaders) as string[];
  const fields: RequestFields = {
    headers: input.headers ?? headers,
    secretHeaders: input.secret_headers ?? secretHeaders,
    body: input.body === undefined ? stored.body : input.body,
    bodyIsSecret: input.body_is_secret ?? stored.bodyIsSecret,
  };
  const changed = {
    headers: input.headers !== undefined && !sameEntries(input.headers, headers),
    secretHeaders: input.secret_headers !== undefined && !sameEntries(input.secret_headers, secretHeaders),
    body: input.body !== undefined && input.body !== stored.body,
  };
  return { fields, changed };
}

function sameEntries(a: Record<string, string> | string[], b: Record<string, string> | string[]): boolean {
  const ea = Object.entries(a);
  const eb = Object.entries(b);
  return ea.length === eb.length && ea.every(([k, v], i) => eb[i]?.[0] === k && eb[i]?.[1] === v);
}

import type { ExpositionFormat } from "./exposition";

/**
 * Content negotiation for the metrics (prometheus.io/docs/instrumenting/content_negotiation, RFC 9110 §12.5.1):
 * each format takes the q of the most specific Accept range that matches it; the higher q wins, then the more
 * specific match, then Prometheus text (what a wildcard range or a missing Accept gets, as in Prometheus' own clients).
 */

interface Offer {
  format: ExpositionFormat;
  type: string;
  subtype: string;
  /** `version` parameters this format answers; a range naming another version does not match it. */
  versions: readonly string[];
}

// OpenMetrics 0.0.1 is the draft name Prometheus 2.x also sends; its text is 1.0's.
const OFFERS: readonly Offer[] = [
  { format: "openmetrics", type: "application", subtype: "openmetrics-text", versions: ["1.0.0", "0.0.1"] },
  { format: "prometheus", type: "text", subtype: "plain", versions: ["0.0.4"] },
];

interface Range {
  type: string;
  subtype: string;
  params: Map<string, string>;
  q: number;
}

/** Splits on `sep` outside double quotes. */
function splitOutsideQuotes(text: string, sep: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '"' && text[i - 1] !== "\\") quoted = !quoted;
    if (ch === sep && !quoted) {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

function parseRange(text: string): Range | null {
  const [mediaRange = "", ...rawParams] = splitOutsideQuotes(text, ";").map((p) => p.trim());
  const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)\/([!#$%&'*+.^_`|~0-9A-Za-z-]+)$/.exec(mediaRange);
  if (!m) return null;
  const params = new Map<string, string>();
  let q = 1;
  for (const raw of rawParams) {
    const eq = raw.indexOf("=");
    if (eq <= 0) continue;
    const key = raw.slice(0, eq).trim().toLowerCase();
    let value = raw.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (key === "q") {
      const n = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value) ? Number(value) : Number.NaN;
      if (Number.isNaN(n)) return null;
      q = n;
    } else params.set(key, value);
  }
  return { type: (m[1] as string).toLowerCase(), subtype: (m[2] as string).toLowerCase(), params, q };
}

/** How specifically `r` names `o` (4 type/subtype with its version, 3 without, 2 a subtype wildcard, 1 the full wildcard), or 0. */
function specificity(r: Range, o: Offer): number {
  if (r.type === "*" && r.subtype === "*") return 1;
  if (r.type !== o.type) return 0;
  if (r.subtype === "*") return 2;
  if (r.subtype !== o.subtype) return 0;
  const version = r.params.get("version");
  if (version === undefined) return 3;
  return o.versions.includes(version) ? 4 : 0;
}

/** The format to answer `accept` with (a missing or empty header accepts anything), or null: a 406. */
export function negotiateFormat(accept: string | undefined): ExpositionFormat | null {
  if (accept === undefined || accept.trim() === "") return "prometheus";
  const ranges = splitOutsideQuotes(accept, ",")
    .map((r) => r.trim())
    .filter((r) => r !== "")
    .map(parseRange)
    .filter((r): r is Range => r !== null);
  let best: { format: ExpositionFormat; q: number; level: number } | null = null;
  for (const offer of OFFERS) {
    let level = 0;
    let q = 0;
    for (const r of ranges) {
      const s = specificity(r, offer);
      if (s > level) {
        level = s;
        q = r.q;
      } else if (s === level && s > 0) q = Math.max(q, r.q);
    }
    if (level === 0 || q <= 0) continue;
    // Ties: OFFERS order lists OpenMetrics first, so only a strictly better Prometheus match (or a wildcard) wins.
    const better =
      best === null ||
      q > best.q ||
      (q === best.q && level > best.level) ||
      (q === best.q && level === best.level && level <= 2 && offer.format === "prometheus");
    if (better) best = { format: offer.format, q, level };
  }
  return best?.format ?? null;
}

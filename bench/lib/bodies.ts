/**
 * Response bodies of the log-store profiles, deterministic per seed: the 1 KB one a paginated customer listing cut at
 * 1,024 bytes by the engine's truncateUtf8, its words written here apart from the codec's dictionary corpus.
 */
import { mulberry32 } from "../../src/engine/executors/mock";
import { truncateUtf8 } from "../../src/lib/truncate";

type Rng = () => number;

const FIRST =
  "Amara Bjorn Chiara Dmitri Elif Farid Greta Hiroshi Ines Jonas Kalani Lucia Mateo Nadia Oskar Priya Quentin Rosa Sven Tamsin Ulla Viktor Wanjiru Xiomara Yusuf Zofia Anouk Bruno Cleo Desmond Esther Florin".split(
    " ",
  );
const LAST =
  "Abernathy Bergström Castellano Delacroix Eriksen Fitzgerald Gallagher Hoffmann Ivanova Jaramillo Kowalczyk Lindqvist Moreau Nakamura Okonkwo Petrović Quispe Rasmussen Szabó Takahashi Underwood Valdés Whitfield Yilmaz Zimmermann Achterberg Brennan Costa".split(
    " ",
  );
const COMPANIES =
  "Northwind Traders,Blue Heron Logistics,Copperleaf Studio,Driftwood Analytics,Evergreen Dental,Foxglove Bakery,Granite Peak Outfitters,Harborview Clinic,Ironbark Joinery,Juniper Legal".split(
    ",",
  );
const DOMAINS = ["example.com", "example.org", "example.net", "mail.example.io", "corp.example.co.uk"];
const STATES = ["active", "active", "active", "trialing", "past_due", "canceled", "paused"];
const PLANS = ["starter", "growth", "business", "enterprise"];
const CURRENCIES = ["usd", "eur", "gbp", "jpy", "chf"];

const int = (r: Rng, min: number, max: number) => min + Math.floor(r() * (max - min + 1));
const pick = <T>(r: Rng, items: readonly T[]): T => items[Math.floor(r() * items.length)] as T;
const ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
function token(r: Rng, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += ALNUM[Math.floor(r() * 36)];
  return s;
}
const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
/** `YYYY-MM-DDTHH:MM:SSZ` by civil-from-days arithmetic (H. Hinnant): Date#toISOString is the generator's hot spot. */
function iso(ms: number): string {
  const z = Math.floor(ms / 86_400_000) + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const s = Math.floor(ms / 1000) % 86_400;
  return `${yoe + era * 400 + (m <= 2 ? 1 : 0)}-${two(m)}-${two(d)}T${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}Z`;
}
/** Names in e-mail addresses: the letters without their accents. */
const ascii = (s: string) =>
  s
    .normalize("NFD")
    .replace(/[^\x20-\x7e]/g, "")
    .toLowerCase();
const FIRST_ASCII = FIRST.map(ascii);
const LAST_ASCII = LAST.map(ascii);

/** One record of a customer listing. */
function record(r: Rng, id: number, base: number) {
  const f = Math.floor(r() * FIRST.length);
  const l = Math.floor(r() * LAST.length);
  const created = base - int(r, 0, 900) * 86_400_000 - int(r, 0, 86_399) * 1000;
  return {
    id,
    object: "customer",
    ref: `cus_${token(r, 14)}`,
    name: `${FIRST[f]} ${LAST[l]}`,
    email: `${FIRST_ASCII[f]}.${LAST_ASCII[l]}${int(r, 1, 99)}@${pick(r, DOMAINS)}`,
    company: r() < 0.6 ? pick(r, COMPANIES) : null,
    status: pick(r, STATES),
    plan: pick(r, PLANS),
    balance: { amount: int(r, 0, 2_500_000) / 100, currency: pick(r, CURRENCIES) },
    created_at: iso(created),
    updated_at: iso(created + int(r, 0, 400) * 3_600_000 + int(r, 0, 3599) * 1000),
    tags: r() < 0.5 ? [pick(r, ["vip", "beta", "churn-risk", "referral", "annual"])] : [],
  };
}

/**
 * A listing page of about `bytes` or more, cut to at most 1,024 bytes of UTF-8 like every stored body: the records
 * come first, so the cut lands inside the data as it does for a real listing over the cap.
 */
export function listingBody(seed: number, at: number): string {
  const r = mulberry32(seed);
  const first = int(r, 1000, 9_000_000);
  // Records of ≈ 330 characters: six fill the cap, whatever their names.
  const data = Array.from({ length: 6 }, (_, i) => record(r, first + i * int(r, 1, 7), at));
  const page = { object: "list", url: "/v2/customers", page: int(r, 1, 400), per_page: data.length, data };
  return truncateUtf8(JSON.stringify({ ...page, has_more: true, next: `/v2/customers?after=${first}` }));
}

/** A 53-byte JSON acknowledgement (the profile between none and the mock mix): `{"ok":true,"processed":NN,"at":"…Z"}`. */
export function smallBody(seed: number, at: number): string {
  const r = mulberry32(seed);
  return JSON.stringify({ ok: true, processed: int(r, 10, 99), at: iso(Math.floor(at / 1000) * 1000) });
}

/** The kept response headers (src/engine/response-headers.ts) of a JSON answer, as the engine stores them. */
export function responseHeaders(seed: number, bodyBytes: number): string {
  const r = mulberry32(seed ^ 0x5bd1e995);
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join("");
  return JSON.stringify({
    "content-type": "application/json; charset=utf-8",
    "content-length": String(bodyBytes > 1000 ? int(r, 1100, 48_000) : bodyBytes),
    "x-request-id": `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`,
    server: pick(r, ["nginx", "cloudflare", "envoy", "gunicorn"]),
  });
}

/**
 * Builds a deflate preset dictionary for src/lib/codec from the committed corpus (scripts/codec/corpus/*.jsonl,
 * written by make-corpus.ts; method in dictionary.ts) and measures candidate budgets on held-out samples (another
 * seed, plus shapes the generator never makes: samples.ts novelSamples).
 *
 *   npx tsx scripts/codec/build-dictionary.ts              prints the measurements for 2/4/8/16 KiB budgets
 *   npx tsx scripts/codec/build-dictionary.ts --write 2    also writes src/lib/codec/dictionaries/2.ts (new only)
 *
 * Committed dictionaries never change (rows name theirs): --write refuses to overwrite one.
 *
 * Measured (2050-sample corpus, 339 KB; held-out: 524 values of another seed + 10 shapes the generator never
 * makes; fflate 0.8.3 level 6; mean stored bytes incl. the codec byte; µs = Node CPU per value, best of 10 rounds
 * on a shared 2-core machine, ±30 % between runs):
 *
 *                   raw   no dict   2 KiB   4 KiB   8 KiB  16 KiB
 *   1 KB listing   1024     400      364     347     323     298
 *   JSON small       60      54       37      34      29      28
 *   JSON error       94      79       48      40      30      23
 *   HTML page       471     286      193     161     108      76
 *   errors           50      47       25      19      17      11
 *   headers JSON    119     106       50      48      46      44
 *   mock bodies      53      43       22      18      17      16
 *   all             166     103       71      64      57      50
 *
 *   µs per value        2 KiB   4 KiB   8 KiB    16 KiB
 *   encode, < 256 B     41–61   48–53   64–76   110–111
 *   encode, 1 KB        77–93   87–90  106–113  150–253
 *   decode              0.6–12 at every size (the top: a 1 KB listing, whose Huffman tables dominate)
 *
 * Chosen: 8 KiB. Against 4 KiB it stores 11 % less overall (HTML −33 %, JSON errors −26 %) for ≈ 25 µs more per
 * encode; 16 KiB saves another 11 % but costs ≈ 40 µs more (fflate re-hashes the whole dictionary on every
 * call). A log write encodes 2–3 values: ≈ 0.3 ms of the free plan's 10 ms. Cover parameters d=6, k=64: best of
 * d ∈ {5, 6, 8, 10} × k ∈ {32, 64, 128}, all within 3 %.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { deflateSync } from "fflate";
import { deflateChecked, inflateWith } from "../../src/lib/codec/deflate.ts";
import { DICTIONARY_1 } from "../../src/lib/codec/dictionaries/1.ts";
import { buildDictionary, type CoverOptions } from "./dictionary.ts";
import { heldOut } from "./samples.ts";
import { usPerCall } from "./timing.ts";

const CORPUS_DIR = join(import.meta.dirname, "corpus");
const DICTIONARY_DIR = join(import.meta.dirname, "../../src/lib/codec/dictionaries");
/** What dictionary 1 was built with: 8 KiB, 6-byte d-mers, 64-byte windows. */
const BUDGET = 8192;
const COVER: CoverOptions = { d: 6, k: 64 };

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function readCorpus(): Uint8Array[] {
  return readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith(".jsonl"))
    .sort()
    .flatMap((f) =>
      readFileSync(join(CORPUS_DIR, f), "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => encoder.encode(JSON.parse(line) as string)),
    );
}

/** encodeText with `dictionary` (null: plain deflate, for comparison). */
function encodeWith(text: string, dictionary: Uint8Array | null): Uint8Array {
  const raw = encoder.encode(text);
  let packed: Uint8Array | null = null;
  if (raw.length > 3) packed = dictionary ? deflateChecked(raw, dictionary) : deflateSync(raw, { level: 6 });
  const payload = packed && packed.length < raw.length ? packed : raw;
  const out = new Uint8Array(payload.length + 1);
  out[0] = payload === raw ? 0 : 1;
  out.set(payload, 1);
  return out;
}

const scratch = new Uint8Array(32 * 1024);
function decodeWith(bytes: Uint8Array, dictionary: Uint8Array): string {
  const payload = bytes.subarray(1);
  return decoder.decode(bytes[0] === 0 ? payload : inflateWith(payload, dictionary, scratch));
}

function main() {
  const { values } = parseArgs({
    options: {
      write: { type: "string" },
      budgets: { type: "string", default: "2048,4096,8192,16384" },
      d: { type: "string", default: String(COVER.d) },
      k: { type: "string", default: String(COVER.k) },
      "no-timing": { type: "boolean", default: false },
    },
  });
  const cover: CoverOptions = { d: Number(values.d), k: Number(values.k) };
  const budgets = values.budgets.split(",").map(Number);
  const corpus = readCorpus();
  const corpusBytes = corpus.reduce((n, s) => n + s.length, 0);
  console.log(`corpus: ${corpus.length} samples, ${corpusBytes} bytes; cover d=${cover.d} k=${cover.k}`);
  const dictionaries = budgets.map((b) => buildDictionary(corpus, b, cover));
  const groups = heldOut();

  const pad = (s: string | number, w = 9) => String(s).padStart(w);
  const kib = budgets.map((b) => `${b / 1024} KiB`);
  console.log("\nMean stored bytes per value (codec byte included; raw = UTF-8 bytes), held-out samples:");
  console.log(`${"".padEnd(14)}${pad("n", 5)}${pad("raw")}${pad("no dict")}${kib.map((k) => pad(k)).join("")}`);
  for (const [label, samples] of groups) {
    const mean = (dict: Uint8Array | null) =>
      (samples.reduce((n, s) => n + encodeWith(s, dict).length, 0) / samples.length).toFixed(1);
    const raw = (samples.reduce((n, s) => n + encoder.encode(s).length, 0) / samples.length).toFixed(1);
    console.log(
      `${label.padEnd(14)}${pad(samples.length, 5)}${pad(raw)}${[null, ...dictionaries].map((d) => pad(mean(d))).join("")}`,
    );
  }

  if (!values["no-timing"]) {
    console.log(
      "\nµs per value in Node, best of 10 rounds (encode: deflate + check + smaller-of; decode: inflate + UTF-8):",
    );
    console.log(
      `${"".padEnd(14)}${kib.map((k) => pad(`enc ${k}`, 12)).join("")}${kib.map((k) => pad(`dec ${k}`, 12)).join("")}`,
    );
    const timed: Array<[string, string[]]> = [
      ["1 KB listing", groups.find(([l]) => l === "1 KB listing")?.[1] ?? []],
      ["< 256 B", (groups.find(([l]) => l === "all")?.[1] ?? []).filter((s) => encoder.encode(s).length < 256)],
      ["all", groups.find(([l]) => l === "all")?.[1] ?? []],
    ];
    for (const [label, samples] of timed) {
      const enc = dictionaries.map((dict) =>
        usPerCall(() => {
          for (const s of samples) encodeWith(s, dict);
        }, samples.length),
      );
      const dec = dictionaries.map((dict) => {
        const encoded = samples.map((s) => encodeWith(s, dict));
        return usPerCall(() => {
          for (const e of encoded) decodeWith(e, dict);
        }, samples.length);
      });
      console.log(`${label.padEnd(14)}${[...enc, ...dec].map((t) => pad(t.toFixed(1), 12)).join("")}`);
    }
  }

  const rebuilt = buildDictionary(corpus, BUDGET, COVER);
  const same = rebuilt.length === DICTIONARY_1.length && rebuilt.every((b, i) => b === DICTIONARY_1[i]);
  console.log(`\nThe corpus rebuilds dictionary 1 byte for byte: ${same ? "yes" : "NO (corpus or method changed)"}`);

  if (values.write) {
    const n = Number(values.write);
    const file = join(DICTIONARY_DIR, `${n}.ts`);
    if (!Number.isInteger(n) || n < 1 || n > 255) throw new Error("--write takes a dictionary number 1..255");
    if (existsSync(file)) throw new Error(`${file} exists: committed dictionaries never change`);
    writeFileSync(file, dictionaryModule(n, rebuilt));
    console.log(`wrote ${file} (${rebuilt.length} bytes)`);
  }
}

function dictionaryModule(n: number, dict: Uint8Array): string {
  const lines =
    Buffer.from(dict)
      .toString("base64")
      .match(/.{1,112}/g) ?? [];
  return [
    "/**",
    ` * Deflate preset dictionary ${n} (${dict.length} bytes), built by scripts/codec/build-dictionary.ts from`,
    " * scripts/codec/corpus/. Frozen: stored rows name it by number for as long as they live (test/lib/codec.test.ts",
    " * pins its SHA-256). A better dictionary is a new file with the next number.",
    " */",
    "const BASE64 =",
    lines.map((l, i) => `  "${l}"${i === lines.length - 1 ? ";" : " +"}`).join("\n"),
    "",
    `export const DICTIONARY_${n}: Uint8Array = Uint8Array.from(atob(BASE64), (c) => c.charCodeAt(0));`,
    "",
  ].join("\n");
}

main();

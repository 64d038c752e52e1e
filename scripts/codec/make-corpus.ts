/**
 * Writes scripts/codec/corpus/<category>.jsonl (one JSON string per line): the training samples that
 * build-dictionary.ts reads. Deterministic (seed CORPUS_SEED), so a rerun rewrites the same files; the files are
 * committed because dictionary 1 was built from them and is frozen (src/lib/codec/dictionaries/1.ts). The samples
 * quote the engine's own messages, so a rerun after those change writes a new corpus: for a new dictionary only.
 *
 *   npx tsx scripts/codec/make-corpus.ts
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CATEGORIES, generateSamples } from "./samples.ts";

const CORPUS_DIR = join(import.meta.dirname, "corpus");
const CORPUS_SEED = 1;

const samples = generateSamples(CORPUS_SEED);
mkdirSync(CORPUS_DIR, { recursive: true });
for (const category of CATEGORIES) {
  const lines = samples[category].map((s) => JSON.stringify(s));
  writeFileSync(join(CORPUS_DIR, `${category}.jsonl`), `${lines.join("\n")}\n`);
  const bytes = samples[category].reduce((n, s) => n + Buffer.byteLength(s), 0);
  console.log(`${category.padEnd(13)} ${String(lines.length).padStart(4)} samples ${String(bytes).padStart(7)} bytes`);
}

// Comment density per src/ folder: comments, words per comment, share of characters.
// A comment is one /* */ block or a run of // lines on consecutive lines.
// Usage: node scripts/comment-stats.mjs [root=src]
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

const root = process.argv[2] ?? "src";
// Generated code (see .gitattributes) is not ours to comment.
const skip = [/\/generated\//, /codec\/dictionaries\//, /\.d\.ts$/];

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(ts|tsx|mjs|js)$/.test(name) && !skip.some((re) => re.test(path))) yield path;
  }
}

function comments(path) {
  const text = readFileSync(path, "utf8");
  const variant = path.endsWith("x") ? ts.LanguageVariant.JSX : ts.LanguageVariant.Standard;
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, variant, text);
  const found = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind !== ts.SyntaxKind.SingleLineCommentTrivia && kind !== ts.SyntaxKind.MultiLineCommentTrivia) continue;
    const body = scanner.getTokenText();
    const line = text.slice(0, scanner.getTokenStart()).split("\n").length;
    const prev = found.at(-1);
    if (kind === ts.SyntaxKind.SingleLineCommentTrivia && prev?.single && prev.endLine === line - 1) {
      prev.text += `\n${body}`;
      prev.endLine = line;
    } else {
      found.push({
        text: body,
        single: kind === ts.SyntaxKind.SingleLineCommentTrivia,
        endLine: line + body.split("\n").length - 1,
      });
    }
  }
  return { chars: text.length, found };
}

const words = (c) =>
  c
    .replace(/^\s*(\/\/+|\/\*+|\*+\/?)/gm, " ")
    .split(/\s+/)
    .filter((w) => /\w/.test(w)).length;

const byFolder = new Map();
for (const path of files(root)) {
  const rel = relative(root, path).split("/");
  const folder = rel.length > 1 ? rel[0] : "(top)";
  const row = byFolder.get(folder) ?? { comments: 0, words: 0, commentChars: 0, chars: 0 };
  const { chars, found } = comments(path);
  row.chars += chars;
  for (const c of found) {
    row.comments++;
    row.words += words(c.text);
    row.commentChars += c.text.length;
  }
  byFolder.set(folder, row);
}

const total = { comments: 0, words: 0, commentChars: 0, chars: 0 };
const rows = [...byFolder].sort(([a], [b]) => a.localeCompare(b));
console.log("folder\tcomments\twords/comment\tcomment share");
for (const [folder, r] of [...rows, ["TOTAL", total]]) {
  if (folder !== "TOTAL") for (const k of Object.keys(total)) total[k] += r[k];
  const wpc = r.comments ? (r.words / r.comments).toFixed(1) : "-";
  console.log(`${folder}\t${r.comments}\t${wpc}\t${((100 * r.commentChars) / r.chars).toFixed(1)} %`);
}

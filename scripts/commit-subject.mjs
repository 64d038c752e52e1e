// Commit subjects stay within 72 characters, details in the body: they must read whole in `git log --oneline`
// and as e-mail subjects (git-format-patch). Plain JS, node: imports only, so the hook runs under any node.
//   node scripts/commit-subject.mjs FILE         the commit-msg hook (simple-git-hooks in package.json)
//   node scripts/commit-subject.mjs --since REV  CI: every commit in REV..HEAD
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const MAX = 72;
const [first, rev] = process.argv.slice(2);

// Git drops comment lines and leading blank lines from the message before it records it.
const subjectOf = (message) => message.split("\n").find((line) => line.trim() !== "" && !line.startsWith("#")) ?? "";

// An unknown REV (a shallow clone) fails the check: git prints why, and no commit goes unchecked.
const log = (range) => {
  try {
    return execFileSync("git", ["log", "--format=%h %s", range], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
  } catch {
    process.exit(2);
  }
};

const subjects =
  first === "--since"
    ? log(`${rev}..HEAD`)
        .split("\n")
        .filter(Boolean)
        .map((line) => ({ where: line.slice(0, line.indexOf(" ")), subject: line.slice(line.indexOf(" ") + 1) }))
    : [{ where: "this commit", subject: subjectOf(readFileSync(first, "utf8")).trimEnd() }];

const long = subjects.filter(({ subject }) => [...subject].length > MAX);
for (const { where, subject } of long) {
  console.error(`${where}: subject is ${[...subject].length} characters, at most ${MAX}: ${subject}`);
}
if (long.length > 0) {
  console.error("Shorten the subject line; put the details in the body after a blank line.");
  process.exit(1);
}

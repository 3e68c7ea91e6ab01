#!/usr/bin/env bash
# Compares Confide's redactor with npm redactors on the same seeded corpus:
# MiB/s on one core and recall, side by side, and the speed ratio.
#
#   bash bench/redact-compare/run.sh [MiB]      (default 4)
#
# The npm packages are installed into a scratch directory under $TMPDIR (not
# the repository). A package that fails to install is reported and skipped.
set -euo pipefail
cd "$(dirname "$0")/../.."
mib="${1:-4}"
scratch="${TMPDIR:-/tmp}/confide-redact-compare"
mkdir -p "$scratch"
if [ ! -f "$scratch/package.json" ]; then
  (cd "$scratch" && npm init -y >/dev/null)
fi
for pkg in @redactpii/node redact-pii @cdssnc/sanitize-pii; do
  if [ ! -d "$scratch/node_modules/$pkg" ]; then
    if ! (cd "$scratch" && npm install --no-audit --no-fund --ignore-scripts "$pkg" >/dev/null 2>"$scratch/install.err"); then
      echo "npm install $pkg failed; skipping it:" >&2
      tail -3 "$scratch/install.err" >&2
    fi
  fi
done
results="$scratch/results.jsonl"
GOMAXPROCS=1 go run ./bench/redact-compare -out "$scratch" -mib "$mib" > "$results"
node bench/redact-compare/compare.mjs "$scratch/corpus.jsonl" "$scratch/node_modules" >> "$results"
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
const conf = lines.find((l) => l.name === "confide");
const types = ["CARD_NUMBER","CARD_CVV","CARD_EXPIRY","SSN","PHONE","EMAIL","PERSON","ADDRESS","DATE_OF_BIRTH"];
const pct = (x) => x === undefined ? "   -  " : (100 * x).toFixed(1).padStart(5) + "%";
console.log(`corpus: ${(conf.bytes / 1048576).toFixed(1)} MiB, one core\n`);
console.log("MiB/s: wall clock; cpu: per second of process CPU time; ratio: Confide cpu MiB/s over the redactor\n");
console.log("redactor".padEnd(22) + "MiB/s".padStart(8) + "     cpu" + "   ratio" + "  recall" + "  spoken " + types.map((t) => t.slice(0, 8).padStart(9)).join(""));
for (const l of lines) {
  if (l.error) { console.log(l.name.padEnd(22) + "  failed to load: " + l.error); continue; }
  const ratio = l === conf ? "     1.0" : (conf.cpu_mib_s / l.cpu_mib_s).toFixed(1).padStart(8);
  console.log(l.name.padEnd(22) + l.mib_s.toFixed(2).padStart(8) + l.cpu_mib_s.toFixed(2).padStart(8) + ratio + " " + pct(l.recall) + "  " + pct(l.spoken_recall) + " " + types.map((t) => pct(l.by_type[t]).padStart(9)).join(""));
}
' "$results"

#!/usr/bin/env bash
# ab.sh REV [ROUNDS]: compares the ingest throughput and read latency of
# the working tree against revision REV, measured in the same run. Each
# round starts a fresh SQLite server of each build in turn (alternating,
# so both see the same machine load), ingests for 10 s (16 concurrent
# clients, 4 KiB transcripts) and then reads at 500/s for 15 s. Prints one
# line per server and the means. Servers run on loopback and are stopped
# by PID; the temporary worktree and data are removed at the end.
#
#   scripts/ab.sh 74b89e7        # 2 rounds, about 2 minutes
#   scripts/ab.sh HEAD~5 4
set -euo pipefail

rev="${1:?usage: scripts/ab.sh REV [ROUNDS]}"
rounds="${2:-2}"
root="$(git rev-parse --show-toplevel)"
work="$(mktemp -d /tmp/confide-ab.XXXXXX)"
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	git -C "$root" worktree remove --force "$work/src" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

echo "== build: $rev (old) and the working tree (new)"
git -C "$root" worktree add --quiet --detach "$work/src" "$rev"
(cd "$work/src" && go build -o "$work/old/confide" ./cmd/confide)
(cd "$root" && go build -o "$work/new/confide" ./cmd/confide && go build -o "$work/confide-load" ./cmd/confide-load)

# measure BUILD ROUND: one server of BUILD, an ingest and a read phase.
measure() {
	local build="$1" round="$2" data="$work/data-$1-$2" url="" i
	"$work/$build/confide" tokens create --data "$data" --name ab-ingest --role integration >"$data.ti" 2>/dev/null
	"$work/$build/confide" tokens create --data "$data" --name ab-read --role agent >"$data.ta" 2>/dev/null
	"$work/$build/confide" serve --data "$data" --insecure-http --addr 127.0.0.1:0 --rate-limit-exempt 127.0.0.0/8 >"$data.log" 2>&1 &
	local pid=$!
	pids+=("$pid")
	for ((i = 0; i < 300; i++)); do
		url="$(sed -n 's/^Confide is serving on \([^ ]*\).*/\1/p' "$data.log")"
		[[ -n "$url" ]] && break
		sleep 0.1
	done
	[[ -n "$url" ]] || { cat "$data.log" >&2; exit 1; }
	"$work/confide-load" --url "$url" --mode ingest --token-file "$data.ti" --duration 10s --concurrency 16 \
		--transcript-bytes 4096 --customers 100 --json >"$data.ingest.json" 2>/dev/null
	"$work/confide-load" --url "$url" --mode read --token-file "$data.ta" --duration 15s --rate 500 \
		--customers 1000 --json >"$data.read.json" 2>/dev/null
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	jq -n -r --arg b "$build" --arg r "$round" --slurpfile in "$data.ingest.json" --slurpfile rd "$data.read.json" \
		'"round \($r) \($b): ingest \($in[0].ok_per_second|round)/s (p99 \($in[0].latency.p99_ms) ms); read p50 \($rd[0].latency.p50_ms) ms, p99 \($rd[0].latency.p99_ms) ms"'
	jq -n -c --arg b "$build" --slurpfile in "$data.ingest.json" --slurpfile rd "$data.read.json" \
		'{build: $b, ingest: $in[0].ok_per_second, read_p99: $rd[0].latency.p99_ms}' >>"$work/results.jsonl"
}

echo "== $rounds rounds (load average at start: $(cut -d' ' -f1-3 /proc/loadavg))"
for ((r = 1; r <= rounds; r++)); do
	measure old "$r"
	measure new "$r"
done
jq -s -r 'def mean(b; f): map(select(.build == b) | f) | add / length;
	{oi: mean("old"; .ingest), ni: mean("new"; .ingest), op: mean("old"; .read_p99), np: mean("new"; .read_p99)}
	| "mean old: ingest \(.oi|round)/s, read p99 \(.op*100|round/100) ms",
	  "mean new: ingest \(.ni|round)/s, read p99 \(.np*100|round/100) ms",
	  "new / old: ingest \((.ni / .oi)*1000|round/1000), read p99 \((.np / .op)*1000|round/1000)"' \
	"$work/results.jsonl"

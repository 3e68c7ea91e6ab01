#!/usr/bin/env bash
# scripts/perf.sh — Confide's end-to-end performance run (docs/PERFORMANCE.md).
#
# Builds confide, confide-load and confide-profiled from the working tree,
# starts fresh servers on loopback ports (SQLite over plain HTTP, SQLite over
# TLS, PostgreSQL over plain HTTP), and in one run measures:
#   a. baseline: GET /healthz closed loop (max req/s) and at 500 req/s open loop
#   b. ingest:   POST /api/v1/interactions, 4 KiB transcripts, 16 workers, closed loop,
#                with a CPU profile of the server
#   c. read:     GET /api/v1/customers/{id}, open loop at 500 req/s
#   d. ingest on PostgreSQL, and baseline + ingest over TLS, for comparison
# then the vault micro-benchmarks, and prints a summary with ratios to the
# baseline (the machine is shared and noisy; ratios travel better than raw
# numbers). It stops only the servers it started, by PID, and drops the
# PostgreSQL schema it created.
#
# Needs: go, jq; psql for the PostgreSQL run (skipped without it).
# Environment:
#   PERF_OUT=DIR      keep the JSON reports, CPU profile, logs and benchmark output in DIR
#   PERF_QUICK=1      3-second phases and no micro-benchmarks (to check the script)
#   PERF_PG_URL=URL   PostgreSQL (default postgres://postgres@127.0.0.1:5432/test?sslmode=disable)
#   PERF_SKIP_BENCH=1 skip the vault micro-benchmarks
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

pg_url="${PERF_PG_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
health_s=10 ingest_s=20 read_s=20 tls_s=10 customers=1000 rate=500 conc=16 bench=1
if [[ "${PERF_QUICK:-}" == 1 ]]; then
	health_s=3 ingest_s=3 read_s=3 tls_s=3 customers=100 bench=0
fi
[[ "${PERF_SKIP_BENCH:-}" == 1 ]] && bench=0
command -v jq >/dev/null || { echo "perf.sh: needs jq" >&2; exit 1; }

umask 077
work="$(mktemp -d "${TMPDIR:-/tmp}/confide-perf.XXXXXX")"
out="${PERF_OUT:-$work/out}"
mkdir -p "$out" "$work/bin"
pids=()
pg_schema=""

cleanup() {
	local pid
	for pid in "${pids[@]}"; do stop_server "$pid"; done
	if [[ -n "$pg_schema" ]]; then
		psql -q "$pg_url" -c "DROP SCHEMA IF EXISTS $pg_schema CASCADE" >/dev/null 2>&1 ||
			echo "perf.sh: could not drop schema $pg_schema" >&2
	fi
	rm -rf "$work/data-"* "$work/tok-"*
	[[ -n "${PERF_OUT:-}" ]] && rm -rf "$work"
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# stop_server PID: SIGTERM (graceful shutdown), SIGKILL after 15 s.
stop_server() {
	local pid="$1" i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 150; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
	local p left=()
	for p in "${pids[@]}"; do [[ "$p" == "$pid" ]] || left+=("$p"); done
	pids=("${left[@]}")
}

# start_server NAME BINARY ARGS...: starts a server listening on a free
# loopback port; sets server_pid and server_url.
start_server() {
	local name="$1" i
	shift
	"$@" --addr 127.0.0.1:0 >"$out/$name.log" 2>&1 &
	server_pid=$!
	pids+=("$server_pid")
	for ((i = 0; i < 300; i++)); do
		server_url="$(sed -n 's/^Confide is serving on \([^ ]*\).*/\1/p' "$out/$name.log")"
		[[ -n "$server_url" ]] && return 0
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "perf.sh: server $name did not start:" >&2
	cat "$out/$name.log" >&2
	exit 1
}

# token FILE ARGS...: creates an API token with confide tokens create ARGS.
token() {
	local file="$1"
	shift
	"$work/bin/confide" tokens create "$@" >"$file" 2>"$file.err" || { cat "$file.err" >&2; exit 1; }
}

# cpu_seconds PID: user+system CPU time the process has used.
cpu_seconds() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"
}

# runq_seconds PID: time the process's threads spent runnable but waiting
# for a CPU (schedstat run_delay): the machine being busy with others.
runq_seconds() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $2 } END { printf "%.2f", s / 1e9 }'
}

# busy_seconds: CPU time the whole machine has spent busy (all processes).
# The kernel samples it at each tick, so it is close when the machine is
# busy but can miss short bursts that start and end between ticks.
busy_seconds() {
	awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" { printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat
}

# phase NAME SERVER_PID confide-load ARGS...: one measured run; keeps its
# JSON report in $out/NAME.json and the server's CPU use in
# $out/NAME.server.json: cores used, CPU milliseconds per 2xx answer, and
# cores' worth of time its threads waited for a CPU, and the cores the
# whole machine was busy (server, confide-load and everyone else).
phase() {
	local name="$1" pid="$2" c0 c1 w0 w1 b0 b1
	shift 2
	c0="$(cpu_seconds "$pid")" w0="$(runq_seconds "$pid")" b0="$(busy_seconds)"
	if ! "$work/bin/confide-load" "$@" --json >"$out/$name.json" 2>"$out/$name.err"; then
		cat "$out/$name.err" >&2
		exit 1
	fi
	c1="$(cpu_seconds "$pid")" w1="$(runq_seconds "$pid")" b1="$(busy_seconds)"
	jq --argjson c0 "$c0" --argjson c1 "$c1" --argjson w0 "$w0" --argjson w1 "$w1" --argjson b0 "$b0" --argjson b1 "$b1" \
		'{cpu_s: ($c1 - $c0), cores: (($c1 - $c0) / .elapsed_s), ms_per_ok: (if .ok > 0 then ($c1 - $c0) * 1000 / .ok else null end),
		  runq_wait_cores: (($w1 - $w0) / .elapsed_s), machine_busy_cores: (($b1 - $b0) / .elapsed_s)}' \
		"$out/$name.json" >"$out/$name.server.json"
	jq -r --arg n "$name" --slurpfile s "$out/$name.server.json" \
		'"  \($n): \(.ok_per_second|round) ok/s, p50 \(.latency.p50_ms) ms, p99 \(.latency.p99_ms) ms, max \(.latency.max_ms) ms, errors \(.errors); server \($s[0].cores*100|round/100) cores (waited for CPU \($s[0].runq_wait_cores*100|round/100)), confide-load \(.client_cpu_cores*100|round/100) cores, machine busy \($s[0].machine_busy_cores*100|round/100) cores"' \
		"$out/$name.json"
	sed 's/^/    /' "$out/$name.err"
}

echo "== machine"
{
	echo "date:      $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "cpus:      $(nproc) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'))"
	echo "load avg:  $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at start"
	echo "go:        $(go version | cut -d' ' -f3-)"
	echo "commit:    $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' + uncommitted changes')"
	if grep -rqiE 'group[ -]?commit' internal/store/sqlstore/ internal/store/sqlite/ 2>/dev/null; then
		echo "sqlite:    group commit present in internal/store"
	else
		echo "sqlite:    no group commit in internal/store (one fsync per committed request)"
	fi
} | tee "$out/machine.txt"

echo "== build"
go build -o "$work/bin/confide" ./cmd/confide
go build -o "$work/bin/confide-load" ./cmd/confide-load
go build -o "$work/bin/confide-profiled" ./cmd/confide-load/confide-profiled

echo "== SQLite, plain HTTP (server profiled during ingest)"
data="$work/data-sqlite"
token "$work/tok-integration" --data "$data" --name perf-ingest --role integration
token "$work/tok-agent" --data "$data" --name perf-read --role agent
# The load generator is trusted like an integration: exempt from the per-address rate limit.
start_server sqlite "$work/bin/confide-profiled" --cpuprofile "$out/ingest-sqlite.pprof" serve --data "$data" --insecure-http --rate-limit-exempt 127.0.0.0/8
sqlite_pid="$server_pid" url="$server_url"
phase health-closed "$sqlite_pid" --url "$url" --mode health --duration "${health_s}s" --concurrency "$conc"
phase health-rate "$sqlite_pid" --url "$url" --mode health --duration "${health_s}s" --rate "$rate"
kill -USR1 "$sqlite_pid"
phase ingest-sqlite "$sqlite_pid" --url "$url" --mode ingest --token-file "$work/tok-integration" \
	--duration "${ingest_s}s" --concurrency "$conc" --transcript-bytes 4096 --customers 100
kill -USR2 "$sqlite_pid"
phase read-sqlite "$sqlite_pid" --url "$url" --mode read --token-file "$work/tok-agent" \
	--duration "${read_s}s" --rate "$rate" --customers "$customers"
for ((i = 0; i < 100; i++)); do [[ -s "$out/ingest-sqlite.pprof" ]] && break; sleep 0.1; done
stop_server "$sqlite_pid"

echo "== SQLite, TLS (self-signed certificate)"
data="$work/data-tls"
token "$work/tok-tls" --data "$data" --name perf-ingest --role integration
start_server tls "$work/bin/confide" serve --data "$data" --rate-limit-exempt 127.0.0.0/8
tls_pid="$server_pid" url="$server_url"
phase health-closed-tls "$tls_pid" --url "$url" --insecure-skip-verify --mode health --duration "${tls_s}s" --concurrency "$conc"
phase ingest-sqlite-tls "$tls_pid" --url "$url" --insecure-skip-verify --mode ingest --token-file "$work/tok-tls" \
	--duration "${tls_s}s" --concurrency "$conc" --transcript-bytes 4096 --customers 100
stop_server "$tls_pid"

echo "== PostgreSQL, plain HTTP"
if command -v psql >/dev/null && psql -q "$pg_url" -c 'SELECT 1' >/dev/null 2>&1; then
	pg_schema="confide_perf_$$_$(date +%s)"
	psql -q "$pg_url" -c "CREATE SCHEMA $pg_schema" >/dev/null
	db_url="$pg_url&search_path=$pg_schema"
	data="$work/data-pg"
	token "$work/tok-pg" --data "$data" --database-url "$db_url" --name perf-ingest --role integration
	start_server pg "$work/bin/confide" serve --data "$data" --database-url "$db_url" --insecure-http --rate-limit-exempt 127.0.0.0/8
	pg_pid="$server_pid" url="$server_url"
	phase health-closed-pg "$pg_pid" --url "$url" --mode health --duration "${tls_s}s" --concurrency "$conc"
	phase ingest-pg "$pg_pid" --url "$url" --mode ingest --token-file "$work/tok-pg" \
		--duration "${ingest_s}s" --concurrency "$conc" --transcript-bytes 4096 --customers 100
	stop_server "$pg_pid"
else
	echo "  skipped: PostgreSQL not reachable at the PERF_PG_URL"
fi
echo "load avg:  $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at the end of the load runs" | tee -a "$out/machine.txt"

echo "== server CPU profile during the SQLite ingest run (top 10 by own time, then by cumulative time)"
if [[ -s "$out/ingest-sqlite.pprof" ]]; then
	go tool pprof -top -nodecount 10 "$work/bin/confide-profiled" "$out/ingest-sqlite.pprof" 2>/dev/null |
		tee "$out/ingest-sqlite.top.txt"
	go tool pprof -top -cum -nodecount 25 "$work/bin/confide-profiled" "$out/ingest-sqlite.pprof" 2>/dev/null |
		tee "$out/ingest-sqlite.topcum.txt" | tail -n 25
else
	echo "  no profile was written"
fi

if [[ "$bench" == 1 ]] && grep -qs '^func Benchmark' internal/vault/*_test.go; then
	echo "== vault micro-benchmarks"
	go test -run '^$' -bench . -benchtime 2s ./internal/vault/ | tee "$out/vault-bench.txt"
fi

echo "== summary"
echo "ok/s: 2xx answers per second; latency in ms, from the send (closed loop) or the schedule (open loop);"
echo "cores: CPU used by the server, by confide-load, by the whole machine (of $(nproc)), and time the server's"
echo "threads waited for a CPU; ms/req: server CPU milliseconds per 2xx answer"
row() { # row NAME RUN RATIO
	[[ -f "$out/$1.json" ]] || return 0
	jq -r --arg run "$2" --arg ratio "$3" --slurpfile s "$out/$1.server.json" \
		'"| \($run) | \(.loop)\(if .loop == "open" then " @\(.target_rate)/s" else " c\(.concurrency)" end) | \(.ok_per_second*10|round/10) | \(.latency.p50_ms) | \(.latency.p99_ms) | \(.latency.p99_9_ms) | \(.latency.max_ms) | \(.errors) | \($s[0].cores*100|round/100) / \(.client_cpu_cores*100|round/100) / \($s[0].machine_busy_cores*100|round/100) / \($s[0].runq_wait_cores*100|round/100) | \(($s[0].ms_per_ok // 0)*1000|round/1000) | \($ratio) |"' \
		"$out/$1.json"
}
val() { jq -r "$2" "$out/$1.json" 2>/dev/null || echo 0; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }
h_rps="$(val health-closed .ok_per_second)"
h_p99="$(val health-rate .latency.p99_ms)"
echo "| run | load | ok/s | p50 | p99 | p99.9 | max | errors | cores: server / load / machine / server waited | ms/req | ratio to baseline |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
row health-closed "health, SQLite" "1 (req/s baseline)"
row health-rate "health, SQLite" "1 (p99 baseline)"
row ingest-sqlite "ingest, SQLite" "$(ratio "$(val ingest-sqlite .ok_per_second)" "$h_rps") × health req/s"
row read-sqlite "read, SQLite" "$(ratio "$(val read-sqlite .latency.p99_ms)" "$h_p99") × health p99"
row health-closed-tls "health, SQLite, TLS" "$(ratio "$(val health-closed-tls .ok_per_second)" "$h_rps") × health req/s"
row ingest-sqlite-tls "ingest, SQLite, TLS" "$(ratio "$(val ingest-sqlite-tls .ok_per_second)" "$h_rps") × health req/s"
row health-closed-pg "health, PostgreSQL" "$(ratio "$(val health-closed-pg .ok_per_second)" "$h_rps") × health req/s"
row ingest-pg "ingest, PostgreSQL" "$(ratio "$(val ingest-pg .ok_per_second)" "$h_rps") × health req/s"
echo
echo "targets (issue #2): ingest >= 2000/s on SQLite: $(val ingest-sqlite .ok_per_second | cut -d. -f1)/s;" \
	"read p99 <= 10 ms at 500/s on SQLite: $(val read-sqlite .latency.p99_ms) ms"
echo "results kept in: $out"

#!/usr/bin/env bash
# s3-server.sh starts a local S3-compatible server (versitygw over a POSIX
# directory) for the blob/s3 tests, and prints the environment that points
# the tests at it:
#
#   eval "$(.ci/s3-server.sh)"      # start, or reuse the running server
#   go test -race ./internal/blob/...
#   .ci/s3-server.sh stop           # stop it and delete its data
#
# Standard output carries only the export lines, so it is safe to eval:
#
#   export CONFIDE_TEST_S3_URL='s3://confide-test?endpoint=http://127.0.0.1:PORT&region=us-east-1&path_style=true&access_key=...&secret_key=...'
#   export CONFIDE_TEST_S3_PID=PID
#
# The script is idempotent: while the server it started is alive and
# answering, it prints the same lines again. The server listens on loopback
# only, with credentials generated at start; its state (port, PID,
# credentials, log, data) lives in $CONFIDE_S3_STATE, by default
# ${TMPDIR:-/tmp}/confide-s3-$UID, mode 0700. versitygw is installed into
# ${CONFIDE_TOOLS:-$HOME/.cache/confide-tools}/bin if it is not there.

# PID, PORT, ACCESS and SECRET are set by sourcing $STATE/env.
# shellcheck disable=SC2153
set -euo pipefail
umask 077

readonly VERSITYGW_VERSION=v1.8.0
readonly BUCKET=confide-test
readonly REGION=us-east-1
readonly TOOLS="${CONFIDE_TOOLS:-$HOME/.cache/confide-tools}"
readonly STATE="${CONFIDE_S3_STATE:-${TMPDIR:-/tmp}/confide-s3-$(id -u)}"
readonly VGW="$TOOLS/bin/versitygw"

log() { echo "s3-server: $*" >&2; }
die() { log "$*"; exit 1; }

# install_versitygw installs the pinned versitygw unless it is present.
install_versitygw() {
	if [[ -x $VGW ]] && go version -m "$VGW" 2>/dev/null |
		grep -Eq "^[[:space:]]+mod[[:space:]]+github.com/versity/versitygw[[:space:]]+$VERSITYGW_VERSION([[:space:]]|$)"; then
		return
	fi
	log "installing versitygw $VERSITYGW_VERSION into $TOOLS/bin"
	mkdir -p "$TOOLS/bin"
	GOBIN="$TOOLS/bin" go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION" >&2
}

# answering reports whether an HTTP server answers on 127.0.0.1:$1.
answering() {
	curl --silent --output /dev/null --max-time 2 "http://127.0.0.1:$1/"
}

# port_free reports whether nothing accepts connections on 127.0.0.1:$1.
port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# running reports whether the server recorded in $STATE/env is alive.
running() {
	[[ -f $STATE/env ]] || return 1
	# shellcheck source=/dev/null
	source "$STATE/env"
	kill -0 "$PID" 2>/dev/null && answering "$PORT"
}

# random_hex prints $1 random bytes in hexadecimal.
random_hex() {
	od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}

# start launches versitygw on a free loopback port and records it in $STATE/env.
start() {
	install_versitygw
	remove_state
	mkdir -p "$STATE"
	[[ -O $STATE && ! -L $STATE ]] || die "$STATE is not a directory of this user"
	chmod 0700 "$STATE"
	mkdir -m 0700 "$STATE/data"
	local access secret port pid
	access="$(random_hex 10)"
	secret="$(random_hex 20)"
	for _ in $(seq 20); do
		port=$((20000 + RANDOM % 20000))
		port_free "$port" || continue
		# Credentials go through the environment, not argv, so that ps
		# does not show them.
		ROOT_ACCESS_KEY_ID="$access" ROOT_SECRET_ACCESS_KEY="$secret" \
			setsid "$VGW" --port "127.0.0.1:$port" --region "$REGION" --quiet \
			posix "$STATE/data" </dev/null >>"$STATE/versitygw.log" 2>&1 &
		pid=$!
		for _ in $(seq 100); do
			answering "$port" && break
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null && answering "$port"; then
			cat >"$STATE/env" <<-EOF
				PID=$pid
				PORT=$port
				ACCESS=$access
				SECRET=$secret
			EOF
			log "versitygw $VERSITYGW_VERSION (PID $pid) on 127.0.0.1:$port, log $STATE/versitygw.log"
			return
		fi
		kill "$pid" 2>/dev/null || true
		log "versitygw did not start on port $port; trying another"
	done
	die "could not start versitygw; see $STATE/versitygw.log"
}

# create_bucket creates $BUCKET unless it exists.
create_bucket() {
	# versitygw requires the payload hash header, here that of an empty body.
	local status empty_sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
	status="$(curl --silent --output /dev/null --write-out '%{http_code}' \
		--aws-sigv4 "aws:amz:$REGION:s3" --user "$ACCESS:$SECRET" \
		--header "x-amz-content-sha256: $empty_sha256" \
		--request PUT "http://127.0.0.1:$PORT/$BUCKET")"
	case $status in
	200 | 409) ;; # created, or already there
	*) die "creating bucket $BUCKET failed with HTTP status $status" ;;
	esac
}

stop() {
	if [[ -f $STATE/env ]]; then
		# shellcheck source=/dev/null
		source "$STATE/env"
		if kill -0 "$PID" 2>/dev/null; then
			kill "$PID"
			for _ in $(seq 50); do
				kill -0 "$PID" 2>/dev/null || break
				sleep 0.1
			done
			log "stopped versitygw (PID $PID)"
		fi
	fi
	remove_state
}

# remove_state deletes what this script keeps in $STATE, and nothing else.
remove_state() {
	rm -rf "$STATE/data" "$STATE/env" "$STATE/versitygw.log"
	rmdir "$STATE" 2>/dev/null || true
}

case "${1:-start}" in
start)
	running || start
	# shellcheck source=/dev/null
	source "$STATE/env"
	create_bucket
	echo "export CONFIDE_TEST_S3_URL='s3://$BUCKET?endpoint=http://127.0.0.1:$PORT&region=$REGION&path_style=true&access_key=$ACCESS&secret_key=$SECRET'"
	echo "export CONFIDE_TEST_S3_PID=$PID"
	;;
stop) stop ;;
*) die "usage: $0 [start|stop]" ;;
esac

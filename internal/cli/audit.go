package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/confide-cc/confide/internal/app"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/blob/s3"
	"github.com/confide-cc/confide/internal/identity"
)

const auditUsage = `usage: confide audit key                 print the checkpoint verifier key
       confide audit export --out DIR    export leaves, checkpoint and key for offline verification
       confide audit verify [--witness-since SIZE]
                                         verify the database's log against its signed checkpoints and witnesses
       confide audit retention           archive and expire old events now, as the server does hourly
       confide audit verify DIR [--key VKEY] [--witness WDIR|s3://... [--witness-since SIZE]] [--against URL [--token T] [--cacert PEM]]
                                         verify an export offline (and against a witness or a server)`

func runAudit(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, auditUsage)
		return 2
	}
	switch sub, rest := args[0], args[1:]; {
	case sub == "key":
		return withApp(ctx, "audit key", rest, stderr, stderr, nil, func(a *app.App, rest []string) int {
			if len(rest) > 0 {
				return unexpectedArgs(stderr, "audit key", rest)
			}
			fmt.Fprintln(stdout, a.Audit.VerifierKey())
			return 0
		})
	case sub == "export":
		var out string
		return withApp(ctx, "audit export", rest, stderr, stderr, func(fs *flag.FlagSet) {
			fs.StringVar(&out, "out", "", "`directory` to write the export to (created; must not hold an export)")
		}, func(a *app.App, rest []string) int {
			if len(rest) > 0 {
				return unexpectedArgs(stderr, "audit export", rest)
			}
			return auditExport(ctx, a, out, stdout, stderr)
		})
	case sub == "verify" && (len(rest) == 0 || strings.HasPrefix(rest[0], "-")):
		var since uint64
		return withApp(ctx, "audit verify", rest, stderr, stderr, func(fs *flag.FlagSet) {
			fs.Uint64Var(&since, "witness-since", 0, witnessSinceUsage)
		}, func(a *app.App, rest []string) int {
			if len(rest) > 0 {
				return unexpectedArgs(stderr, "audit verify", rest)
			}
			return auditVerifyDB(ctx, a, audit.WitnessSample{Since: since}, stdout, stderr)
		})
	case sub == "verify":
		return auditVerifyDir(ctx, rest[0], rest[1:], stdout, stderr)
	case sub == "retention":
		return withApp(ctx, "audit retention", rest, stderr, stderr, nil, func(a *app.App, rest []string) int {
			if len(rest) > 0 {
				return unexpectedArgs(stderr, "audit retention", rest)
			}
			return auditRetention(ctx, a, stdout, stderr)
		})
	}
	fmt.Fprintln(stderr, auditUsage)
	return 2
}

// recordCLIAccess audits an access to the log by the CLI.
func recordCLIAccess(ctx context.Context, a *app.App, action string, outcome audit.Outcome, details map[string]any) error {
	ctx = localAdmin(ctx, identity.RoleAuditor)
	ev := audit.NewEvent(ctx, action, "audit", outcome)
	ev.Details = details
	return a.Audit.Record(ctx, ev)
}

func auditExport(ctx context.Context, a *app.App, out string, stdout, stderr io.Writer) int {
	if out == "" {
		fmt.Fprintln(stderr, "confide audit export: --out DIR is required")
		return 2
	}
	if err := recordCLIAccess(ctx, a, "audit.export", audit.Success, map[string]any{"what": "export"}); err != nil {
		fmt.Fprintf(stderr, "confide audit export: %v\n", err)
		return 1
	}
	// Sign a checkpoint covering everything so far, the export event included.
	if _, _, err := a.Audit.Integrate(ctx); err != nil {
		fmt.Fprintf(stderr, "confide audit export: %v\n", err)
		return 1
	}
	c, err := a.Audit.Export(ctx, out)
	if err != nil {
		fmt.Fprintf(stderr, "confide audit export: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "exported %d leaves of %s to %s\nverify with: confide audit verify %s --key '%s'\n",
		c.Size, c.Origin, out, out, a.Audit.VerifierKey())
	return 0
}

// witnessSinceUsage documents --witness-since.
const witnessSinceUsage = "check every checkpoint witnessed above this `size` (the newest a previous check covered), and a sample of the older ones; 0: all"

func auditVerifyDB(ctx context.Context, a *app.App, sample audit.WitnessSample, stdout, stderr io.Writer) int {
	rep, err := audit.Verify(ctx, a.Store, a.Audit.Verifier())
	var witnessed []string
	if err == nil {
		witnessed, err = checkLogWitnesses(ctx, a, sample)
	}
	outcome := audit.Success
	if err != nil {
		outcome = audit.Failure
	}
	if aerr := recordCLIAccess(ctx, a, "audit.verify", outcome, map[string]any{"what": "database", "records": rep.Records}); aerr != nil {
		fmt.Fprintf(stderr, "confide audit verify: warning: could not audit this verification: %v\n", aerr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "confide audit verify: FAILED: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "audit log OK: %d records, %d signed checkpoints verified, the latest covering %d records\n",
		rep.Records, rep.Checkpoints, rep.Covered)
	if rep.Archived > 0 {
		fmt.Fprintf(stdout, "the first %d were archived by the retention policy: their signed tree hashes and retention events verified (confide audit export re-reads them)\n", rep.Archived)
	}
	for _, line := range witnessed {
		fmt.Fprintln(stdout, line)
	}
	return 0
}

// checkLogWitnesses checks the witnessed history of each configured
// witness (audit_witness_dir, audit_witness_url) against the database's
// log, by consistency proofs to its latest checkpoint, and returns a
// report line for each.
func checkLogWitnesses(ctx context.Context, a *app.App, sample audit.WitnessSample) ([]string, error) {
	var lines []string
	for _, name := range []string{a.Config.AuditWitnessDir, a.Config.AuditWitnessURL} {
		if name == "" {
			continue
		}
		w, err := openWitness(ctx, name)
		if err != nil {
			return nil, err
		}
		h, err := audit.ReadWitness(ctx, w, a.Audit.Verifier(), sample)
		if err != nil {
			return nil, err
		}
		// The log's checkpoint is read after the witness: a running node
		// publishes a checkpoint only once it is stored, so every witnessed
		// size is then reachable unless the database lost history.
		latest, err := latestCheckpoint(ctx, a.Audit)
		if err != nil {
			return nil, err
		}
		rep, err := audit.CheckWitnessed(h.Checkpoints, latest, a.Audit.ConsistentWith(ctx, latest))
		if err != nil {
			return nil, err
		}
		if rep.Unreached > 0 {
			return nil, fmt.Errorf("witness %s holds %d checkpoints larger than the log (size %d): the database lost history (restored from an older copy?)",
				w.Describe(), rep.Unreached, latest.Size)
		}
		lines = append(lines, witnessLine(w.Describe(), h, rep, "log"))
	}
	return lines, nil
}

// latestCheckpoint returns the log's newest signed checkpoint (of size 0
// before the first).
func latestCheckpoint(ctx context.Context, l *audit.Log) (audit.Checkpoint, error) {
	msg, _, err := l.Latest(ctx)
	if err != nil || msg == nil {
		return audit.Checkpoint{Origin: l.Origin()}, err
	}
	return audit.OpenCheckpoint(msg, l.Verifier(), l.Origin())
}

func auditVerifyDir(ctx context.Context, dir string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("confide audit verify DIR", flag.ContinueOnError)
	fs.SetOutput(stderr)
	key := fs.String("key", "", "trusted verifier `key` (from confide audit key); default: DIR/key.vkey")
	witness := fs.String("witness", "", "witness `directory` (audit_witness_dir) or S3 URL (audit_witness_url) whose checkpoints the export must agree with")
	since := fs.Uint64("witness-since", 0, witnessSinceUsage)
	against := fs.String("against", "", "base `URL` of a running server whose current checkpoint must extend the export")
	token := fs.String("token", os.Getenv("CONFIDE_TOKEN"), "auditor API `token` for --against (default $CONFIDE_TOKEN)")
	cacert := fs.String("cacert", "", "PEM `file` of the CA (or self-signed certificate) to trust for --against")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "confide audit verify: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "confide audit verify: FAILED: %v\n", err)
		return 1
	}
	vkey := *key
	if vkey == "" {
		var err error
		if vkey, err = audit.ReadVerifierKey(filepath.Join(dir, audit.KeyFile)); err != nil {
			return fail(err)
		}
		fmt.Fprintln(stderr, "confide audit verify: warning: using the export's own key.vkey; compare it with `confide audit key` or pass --key")
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return fail(fmt.Errorf("verifier key: %w", err))
	}
	witnessed, err := readWitness(ctx, *witness, v, audit.WitnessSample{Since: *since})
	if err != nil {
		return fail(err)
	}
	var sizes []uint64
	for _, c := range witnessed.Checkpoints {
		sizes = append(sizes, c.Size)
	}
	res, err := audit.VerifyExport(dir, audit.VerifyOptions{VerifierKey: vkey, RootsAt: sizes})
	if err != nil {
		return fail(err)
	}
	c := res.Checkpoint
	fmt.Fprintf(stdout, "export OK: %d leaves of %s, root %x, signed by %s\n", c.Size, c.Origin, c.Hash, v.Name())
	rep, err := audit.CheckWitnessed(witnessed.Checkpoints, c, audit.RootsAgree(res.Roots))
	if err != nil {
		return fail(err)
	}
	if witnessed.Witnessed > 0 {
		fmt.Fprintln(stdout, witnessLine("", witnessed, rep, "export"))
	}
	if *against != "" {
		if err := checkAgainst(ctx, *against, *token, *cacert, v, c, stdout); err != nil {
			return fail(err)
		}
	}
	return 0
}

// openWitness returns the witness named by a directory or an S3 URL.
func openWitness(ctx context.Context, name string) (audit.WitnessReader, error) {
	if !strings.HasPrefix(name, "s3://") {
		return audit.DirWitness(name), nil
	}
	b, err := s3.New(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("witness: %w", err)
	}
	return audit.ObjectWitness{Store: b, Description: "s3:" + b.Describe()}, nil
}

// readWitness reads and verifies the checkpoints of the witness named
// (none if name is empty) that the sample chooses.
func readWitness(ctx context.Context, name string, v note.Verifier, sample audit.WitnessSample) (audit.WitnessHistory, error) {
	if name == "" {
		return audit.WitnessHistory{}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	w, err := openWitness(ctx, name)
	if err != nil {
		return audit.WitnessHistory{}, err
	}
	return audit.ReadWitness(ctx, w, v, sample)
}

// witnessLine says what a witness check established.
func witnessLine(name string, h audit.WitnessHistory, rep audit.WitnessReport, against string) string {
	if name != "" {
		name = " " + name
	}
	line := fmt.Sprintf("witness%s OK: %d witnessed checkpoints agree with the %s (%d read of the %d witnessed, %d outside it)",
		name, rep.Checked, against, len(h.Checkpoints), h.Witnessed, rep.Unreached)
	if rep.Checked > 0 {
		line += fmt.Sprintf("; next time --witness-since %d checks only what was witnessed since", rep.Newest)
	}
	return line
}

// checkAgainst fetches the server's current checkpoint and a consistency
// proof from the export's checkpoint to it.
func checkAgainst(ctx context.Context, base, token, cacert string, v note.Verifier, exported audit.Checkpoint, stdout io.Writer) error {
	client, err := httpClient(cacert)
	if err != nil {
		return err
	}
	get := func(path string) ([]byte, error) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(base, "/")+path, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %s: %.200s", path, resp.Status, body)
		}
		return body, nil
	}
	msg, err := get("/api/v1/audit/checkpoint")
	if err != nil {
		return fmt.Errorf("server checkpoint: %w", err)
	}
	current, err := audit.OpenCheckpoint(msg, v, exported.Origin)
	if err != nil {
		return fmt.Errorf("server checkpoint: %w", err)
	}
	if current.Size < exported.Size {
		return fmt.Errorf("the server's log (size %d) is smaller than the export (size %d): history was truncated", current.Size, exported.Size)
	}
	if exported.Size > 0 {
		body, err := get("/api/v1/audit/proof/consistency?" + url.Values{
			"old": {strconv.FormatUint(exported.Size, 10)}, "new": {strconv.FormatUint(current.Size, 10)}}.Encode())
		if err != nil {
			return fmt.Errorf("consistency proof: %w", err)
		}
		var p struct{ Hashes [][]byte }
		if err := json.Unmarshal(body, &p); err != nil {
			return fmt.Errorf("consistency proof: %w", err)
		}
		if err := audit.VerifyConsistency(exported, current, p.Hashes); err != nil {
			return fmt.Errorf("the server's log does not extend the export: %w", err)
		}
	}
	fmt.Fprintf(stdout, "server OK: its log (size %d) extends the export (size %d)\n", current.Size, exported.Size)
	return nil
}

// httpClient returns a client trusting the system roots, or only cacert.
func httpClient(cacert string) (*http.Client, error) {
	if cacert == "" {
		return &http.Client{}, nil
	}
	pem, err := os.ReadFile(cacert)
	if err != nil {
		return nil, fmt.Errorf("--cacert: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--cacert %s: no PEM certificate", cacert)
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}, nil
}

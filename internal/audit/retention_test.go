package audit_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"

	"github.com/confide-cc/confide/internal/audit"
	blobfs "github.com/confide-cc/confide/internal/blob/fs"
	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/store/postgres"
	"github.com/confide-cc/confide/internal/store/postgres/pgtest"
	"github.com/confide-cc/confide/internal/vault"
)

// memKeysets keeps the vault's installation keysets in memory.
type memKeysets struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (k *memKeysets) LoadSystemKeyset(_ context.Context, name string) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.m[name], nil
}

func (k *memKeysets) CreateSystemKeyset(_ context.Context, name string, wrapped []byte) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m[name] == nil {
		k.m[name] = wrapped
	}
	return k.m[name], nil
}

func (k *memKeysets) SwapSystemKeyset(_ context.Context, name string, old, new []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !bytes.Equal(k.m[name], old) {
		return errors.New("keyset changed")
	}
	k.m[name] = new
	return nil
}

func (k *memKeysets) DeleteSystemKeyset(_ context.Context, name string, old []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if bytes.Equal(k.m[name], old) {
		delete(k.m, name)
	}
	return nil
}

// archived is a Log with an archive in a blob directory.
type archived struct {
	fixture
	blobDir string
}

// newArchive returns an archive in a fresh blob directory.
func newArchive(t testing.TB) (*audit.Archive, string) {
	t.Helper()
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "root.key")
	if _, err := vault.EnsureRootKeyFile(keyFile); err != nil {
		t.Fatal(err)
	}
	v, err := vault.Open(t.Context(), vault.FileKeySource(keyFile), &memKeysets{m: map[string][]byte{}})
	if err != nil {
		t.Fatal(err)
	}
	blobDir := filepath.Join(dir, "blobs")
	b, err := blobfs.New(blobDir)
	if err != nil {
		t.Fatal(err)
	}
	return &audit.Archive{Blobs: b, Vault: v}, blobDir
}

// openArchivedLogs returns a log with an archive on SQLite and, if
// configured, on PostgreSQL.
func openArchivedLogs(t *testing.T) map[string]archived {
	t.Helper()
	out := map[string]archived{}
	arch, dir := newArchive(t)
	f := openLog(t, audit.Options{Archive: arch})
	out["sqlite"] = archived{fixture: f, blobDir: dir}
	if os.Getenv(pgtest.EnvVar) != "" {
		url, _ := pgtest.Schema(t, "audit_retention_")
		st, err := postgres.Open(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		arch, dir := newArchive(t)
		out["postgres"] = archived{fixture: logOn(t, st, audit.Options{Archive: arch}), blobDir: dir}
	}
	return out
}

// leafBodies returns the bodies of leaves [start, end) through Entries.
func leafBodies(t *testing.T, l *audit.Log, start, end int64) [][]byte {
	t.Helper()
	var out [][]byte
	for start < end {
		es, err := l.Entries(t.Context(), start, end)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			out = append(out, e.Data)
		}
		start += int64(len(es))
	}
	return out
}

// blobFiles lists the objects of a blob directory.
func blobFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, path)
		}
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

// TestRetentionArchivesAndExpires walks the lifecycle of old audit
// records: in the database, then archived (encrypted, out of the
// database, still exported), then expired (gone, a prefix of hashes
// standing for them); at every step Verify passes, proofs of old leaves
// still verify and exports verify with Confide's verifier and with a
// third-party one.
func TestRetentionArchivesAndExpires(t *testing.T) {
	for name, f := range openArchivedLogs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			p := audit.Retention{Hot: time.Hour, Keep: 24 * time.Hour}
			for range 3 {
				appendN(t, f.st, 40)
				integrate(t, f.log)
			}
			bodies := leafBodies(t, f.log, 0, 120)

			// Nothing is due yet.
			res, err := f.log.ApplyRetention(ctx, p, time.Now())
			if err != nil || len(res.Archived) != 0 || res.Expired.End != 0 {
				t.Fatalf("ApplyRetention(now) = %+v, %v; want nothing", res, err)
			}

			// Two hours later the 120 records are archived.
			res, err = f.log.ApplyRetention(ctx, p, time.Now().Add(2*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if want := []audit.Span{{0, 120}}; len(res.Archived) != 1 || res.Archived[0] != want[0] || res.Expired.End != 0 {
				t.Fatalf("ApplyRetention(+2h) = %+v, want archived %v", res, want)
			}
			if _, err := f.log.Entries(ctx, 0, 1); !errors.Is(err, audit.ErrArchived) {
				t.Fatalf("Entries(0, 1) after archiving: %v, want ErrArchived", err)
			}
			for _, file := range blobFiles(t, f.blobDir) {
				b, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Contains(b, []byte("customer.read")) || bytes.Contains(b, []byte(base64.StdEncoding.EncodeToString(bodies[0])[:40])) {
					t.Fatalf("archive blob %s holds audit events in clear", file)
				}
			}
			appendN(t, f.st, 25)
			c := integrate(t, f.log)
			checkVerify(t, f.st, f.signer.Verifier(), 120)
			checkInclusion(t, f.log, c, 7, bodies[7])

			dir := filepath.Join(t.TempDir(), "archived")
			if _, err := f.log.Export(ctx, dir); err != nil {
				t.Fatal(err)
			}
			exp := checkExport(t, dir, c)
			if exp.Start != 0 {
				t.Fatalf("export after archiving starts at %d, want 0", exp.Start)
			}
			if got := readLeaves(t, dir)[:120]; !equalBodies(got, bodies) {
				t.Fatal("the exported archived leaves differ from the original records")
			}

			// Two days later everything up to the latest checkpoint
			// expires: the archive is emptied and the prefix file stands
			// for the leaves.
			res, err = f.log.ApplyRetention(ctx, p, time.Now().Add(48*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Archived) != 1 || res.Expired != (audit.Span{0, res.Archived[0].End}) {
				t.Fatalf("ApplyRetention(+48h) = %+v, want the rest archived and everything expired", res)
			}
			if files := blobFiles(t, f.blobDir); len(files) != 0 {
				t.Fatalf("expired segments left blobs: %v", files)
			}
			appendN(t, f.st, 5)
			c = integrate(t, f.log)
			checkVerify(t, f.st, f.signer.Verifier(), int64(res.Expired.End))
			checkInclusion(t, f.log, c, 7, bodies[7])
			dir = filepath.Join(t.TempDir(), "expired")
			if _, err := f.log.Export(ctx, dir); err != nil {
				t.Fatal(err)
			}
			exp = checkExport(t, dir, c)
			if exp.Start != uint64(res.Expired.End) {
				t.Fatalf("export after expiry starts at %d, want %d", exp.Start, res.Expired.End)
			}
			thirdPartyVerifyPrefixed(t, dir, f.signer.VerifierKey())
		})
	}
}

func checkVerify(t *testing.T, st store.Store, v note.Verifier, archived int64) {
	t.Helper()
	rep, err := audit.Verify(t.Context(), st, v)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if rep.Archived != archived {
		t.Fatalf("Verify: Archived = %d, want %d", rep.Archived, archived)
	}
}

func checkInclusion(t *testing.T, l *audit.Log, c audit.Checkpoint, index uint64, data []byte) {
	t.Helper()
	p, err := l.InclusionProof(t.Context(), int64(index), int64(c.Size))
	if err != nil {
		t.Fatal(err)
	}
	if err := audit.VerifyInclusion(c, index, data, p); err != nil {
		t.Fatalf("inclusion of archived leaf %d: %v", index, err)
	}
}

func checkExport(t *testing.T, dir string, c audit.Checkpoint) audit.ExportResult {
	t.Helper()
	res, err := audit.VerifyExport(dir, audit.VerifyOptions{})
	if err != nil {
		t.Fatalf("VerifyExport: %v", err)
	}
	if res.Checkpoint.Size != c.Size {
		t.Fatalf("export covers %d, want %d", res.Checkpoint.Size, c.Size)
	}
	return res
}

func readLeaves(t *testing.T, dir string) [][]byte {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, audit.LeavesFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		b, err := base64.StdEncoding.DecodeString(sc.Text())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func equalBodies(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// thirdPartyVerifyPrefixed verifies an export with a prefix file the way
// docs/AUDIT.md tells an auditor to, with the transparency-dev and note
// libraries only: no code of Confide's.
func thirdPartyVerifyPrefixed(t *testing.T, dir, vkey string) {
	t.Helper()
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open([]byte(read("checkpoint")), note.VerifierList(v))
	if err != nil {
		t.Fatal(err)
	}
	cp := strings.Split(n.Text, "\n") // origin, size, root
	size, _ := strconv.ParseUint(cp[1], 10, 64)
	root, _ := base64.StdEncoding.DecodeString(cp[2])

	pre := strings.Split(strings.TrimSuffix(read("prefix"), "\n"), "\n")
	start, _ := strconv.ParseUint(pre[0], 10, 64)
	var hashes [][]byte
	for _, line := range pre[1:] {
		h, _ := base64.StdEncoding.DecodeString(line)
		hashes = append(hashes, h)
	}
	rf := compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	r, err := rf.NewRange(0, start, hashes)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(read("leaves"), "\n"), "\n") {
		b, _ := base64.StdEncoding.DecodeString(line)
		if err := r.Append(rfc6962.DefaultHasher.HashLeaf(b), nil); err != nil {
			t.Fatal(err)
		}
	}
	got, err := r.GetRootHash(nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.End() != size || !bytes.Equal(got, root) {
		t.Fatalf("third-party verifier: %d leaves with root %x, checkpoint signs %d with %x", r.End(), got, size, root)
	}
}

// TestRetentionTamperingFound removes or alters what retention manages,
// directly in the database file or the blob store, and checks that Verify
// or Export catches each.
func TestRetentionTamperingFound(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(t *testing.T, db *sql.DB, blobDir string)
		export bool // found by Export (which re-reads the archive), not Verify
		want   string
	}{
		{"records deleted and passed off as archived", func(t *testing.T, db *sql.DB, _ string) {
			mustExec(t, db, `DELETE FROM audit_log WHERE seq <= 150`)
			mustExec(t, db, `UPDATE audit_retention SET archived_size = 150, archived_hash = (SELECT prev_hash FROM audit_log WHERE seq = 151)`)
		}, false, "retention event accounts for archiving up to index"},
		{"archive segment row deleted", func(t *testing.T, db *sql.DB, _ string) {
			mustExec(t, db, `DELETE FROM audit_archive`)
		}, false, "archive segments are missing"},
		{"archive expired early", func(t *testing.T, db *sql.DB, _ string) {
			mustExec(t, db, `DELETE FROM audit_archive`)
			mustExec(t, db, `UPDATE audit_retention SET expired_size = archived_size`)
		}, false, "retention event accounts for deleting up to index"},
		{"hashes of the archived leaves rewritten", func(t *testing.T, db *sql.DB, _ string) {
			mustExec(t, db, `UPDATE audit_nodes SET hash = zeroblob(32) WHERE level = 6 AND idx = 0`)
		}, false, "stored hashes of the 100 archived leaves do not match"},
		{"archive blob corrupted", func(t *testing.T, _ *sql.DB, blobDir string) {
			for _, file := range blobFiles(t, blobDir) {
				b, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				b[len(b)/2] ^= 1
				if err := os.WriteFile(file, b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
		}, true, "archive segment [0, 100)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			arch, blobDir := newArchive(t)
			f := openLog(t, audit.Options{Archive: arch})
			appendN(t, f.st, 100)
			integrate(t, f.log)
			if _, err := f.log.ApplyRetention(t.Context(), audit.Retention{Hot: time.Hour}, time.Now().Add(2*time.Hour)); err != nil {
				t.Fatal(err)
			}
			appendN(t, f.st, 100)
			integrate(t, f.log)
			checkVerify(t, f.st, f.signer.Verifier(), 100)

			db, err := sql.Open("sqlite", f.path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			tc.tamper(t, db, blobDir)
			if tc.export {
				_, err = f.log.Export(t.Context(), filepath.Join(t.TempDir(), "x"))
			} else {
				_, err = audit.Verify(t.Context(), f.st, f.signer.Verifier())
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("after tampering: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func mustExec(t *testing.T, db *sql.DB, q string) {
	t.Helper()
	if _, err := db.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestRetentionPolicies checks when each policy archives and expires.
func TestRetentionPolicies(t *testing.T) {
	day := 24 * time.Hour
	cases := []struct {
		name             string
		p                audit.Retention
		after            time.Duration
		archived, expire bool
	}{
		{"no policy", audit.Retention{}, 1000 * day, false, false},
		{"hot only, young", audit.Retention{Hot: 90 * day}, 89 * day, false, false},
		{"hot only, old", audit.Retention{Hot: 90 * day}, 91 * day, true, false},
		{"both, archived not expired", audit.Retention{Hot: 90 * day, Keep: 365 * day}, 100 * day, true, false},
		{"both, expired", audit.Retention{Hot: 90 * day, Keep: 365 * day}, 366 * day, true, true},
		{"keep only: kept in the database until deleted", audit.Retention{Keep: 365 * day}, 300 * day, false, false},
		{"keep only, expired", audit.Retention{Keep: 365 * day}, 366 * day, true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			arch, _ := newArchive(t)
			f := openLog(t, audit.Options{Archive: arch})
			appendN(t, f.st, 10)
			integrate(t, f.log)
			res, err := f.log.ApplyRetention(t.Context(), tc.p, time.Now().Add(tc.after))
			if err != nil {
				t.Fatal(err)
			}
			if got := len(res.Archived) > 0; got != tc.archived {
				t.Errorf("archived = %v (%+v), want %v", got, res, tc.archived)
			}
			if got := res.Expired.End > 0; got != tc.expire {
				t.Errorf("expired = %v (%+v), want %v", got, res, tc.expire)
			}
			checkVerify(t, f.st, f.signer.Verifier(), map[bool]int64{true: 10}[tc.archived])
		})
	}
}

// TestRetentionConcurrentNodes runs retention on several nodes sharing one
// database and one blob store at once: each span is archived once, and
// no blob is left behind by the nodes that lost.
func TestRetentionConcurrentNodes(t *testing.T) {
	arch, blobDir := newArchive(t)
	f := openLog(t, audit.Options{Archive: arch})
	for range 5 {
		appendN(t, f.st, 30)
		integrate(t, f.log)
	}
	var wg sync.WaitGroup
	results := make([]audit.RetentionResult, 4)
	for i := range results {
		l := audit.NewLog(f.st, f.log.Origin(), f.signer, audit.Options{Archive: arch})
		wg.Go(func() {
			var err error
			if results[i], err = l.ApplyRetention(context.Background(), audit.Retention{Hot: time.Hour}, time.Now().Add(2*time.Hour)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var spans []audit.Span
	for _, r := range results {
		spans = append(spans, r.Archived...)
	}
	if len(spans) != 1 || spans[0] != (audit.Span{0, 150}) {
		t.Fatalf("archived spans over all nodes = %v, want [{0 150}]", spans)
	}
	if files := blobFiles(t, blobDir); len(files) != 1 {
		t.Fatalf("blob store holds %d objects, want 1: %v", len(files), files)
	}
	checkVerify(t, f.st, f.signer.Verifier(), 150)
}

// TestRetentionWithoutArchive refuses to archive without a blob store.
func TestRetentionWithoutArchive(t *testing.T) {
	f := openLog(t, audit.Options{})
	appendN(t, f.st, 3)
	integrate(t, f.log)
	if _, err := f.log.ApplyRetention(t.Context(), audit.Retention{Hot: time.Hour}, time.Now().Add(2*time.Hour)); !errors.Is(err, audit.ErrNoArchive) {
		t.Fatalf("ApplyRetention without an archive: %v, want ErrNoArchive", err)
	}
}

// hookStore runs hook once, the first time a transaction lists audit
// records, before the listing.
type hookStore struct {
	store.Store
	once sync.Once
	hook func()
}

func (h *hookStore) View(ctx context.Context, fn func(store.Tx) error) error {
	return h.Store.View(ctx, func(tx store.Tx) error { return fn(hookTx{tx, h}) })
}

type hookTx struct {
	store.Tx
	h *hookStore
}

func (t hookTx) ListAudit(ctx context.Context, from int64, limit int) ([]store.AuditRecord, error) {
	t.h.once.Do(t.h.hook)
	return t.Tx.ListAudit(ctx, from, limit)
}

// TestRetentionUnderReaders archives the records that a verification or
// an export is reading, between two of its pages: both start again and
// succeed instead of reporting the log broken.
func TestRetentionUnderReaders(t *testing.T) {
	for _, read := range []string{"verify", "export"} {
		t.Run(read, func(t *testing.T) {
			arch, _ := newArchive(t)
			f := openLog(t, audit.Options{Archive: arch})
			appendN(t, f.st, 2500) // more than one page of records
			integrate(t, f.log)
			hs := &hookStore{Store: f.st}
			hs.hook = func() {
				done := make(chan error)
				go func() {
					_, err := f.log.ApplyRetention(context.Background(), audit.Retention{Hot: time.Hour}, time.Now().Add(2*time.Hour))
					done <- err
				}()
				if err := <-done; err != nil {
					t.Error(err)
				}
			}
			var err error
			switch read {
			case "verify":
				_, err = audit.Verify(t.Context(), hs, f.signer.Verifier())
			case "export":
				l := audit.NewLog(hs, f.log.Origin(), f.signer, audit.Options{Archive: arch})
				_, err = l.Export(t.Context(), filepath.Join(t.TempDir(), "x"))
			}
			if err != nil {
				t.Fatalf("%s while records were archived: %v", read, err)
			}
		})
	}
}

package audit_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/blob/fs"
	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/store/sqlite"
)

// witness is published to and read back.
type witness interface {
	audit.Witness
	audit.WitnessReader
}

// witnessKinds are the kinds of witness, each read back as the check does.
var witnessKinds = []struct {
	name string
	open func(t *testing.T) witness
}{
	{"dir", func(t *testing.T) witness { return audit.DirWitness(t.TempDir()) }},
	{"object store", func(t *testing.T) witness {
		b, err := fs.New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		return audit.ObjectWitness{Store: b, Description: "fs"}
	}},
}

// genuineHistory runs a log that publishes its checkpoints of sizes 2, 4
// and 6 to w. It returns the log and a copy of its database at size 4.
func genuineHistory(t *testing.T, w witness) (fixture, string) {
	t.Helper()
	f := openLog(t, audit.Options{Witnesses: []audit.Witness{w}, WitnessEvery: -1})
	var atFour string
	for size := 2; size <= 6; size += 2 {
		appendN(t, f.st, 2)
		integrate(t, f.log)
		if size == 4 {
			atFour = copyDatabase(t, f.path)
		}
	}
	return f, atFour
}

// copyDatabase copies the SQLite database at path, as an attacker keeping
// an old state of it would.
func copyDatabase(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dst := filepath.Join(t.TempDir(), "copy.db")
	if _, err := db.Exec(`VACUUM INTO ?`, dst); err != nil {
		t.Fatal(err)
	}
	return dst
}

// rewriteAfterFour continues the database as it was at size 4 with other
// events, signing with the genuine key (the attacker has it).
func rewriteAfterFour(t *testing.T, genuine fixture, w witness, atFour string) *audit.Log {
	st, err := sqlite.Open(context.Background(), atFour)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return forgedLog(t, st, genuine.log.Origin(), genuine.signer, w, 4)
}

// forgeWithOtherKey writes a whole new history under the genuine origin,
// signing with another key.
func forgeWithOtherKey(t *testing.T, genuine fixture, w witness, _ string) *audit.Log {
	signer, _ := newSigner(t, genuine.log.Origin())
	return forgedLog(t, openLog(t, audit.Options{}).st, genuine.log.Origin(), signer, w, 8)
}

// forgedLog opens a log over st that publishes to w, appends n events and
// signs (so publishes, as witness/latest too) a checkpoint of size 8.
func forgedLog(t *testing.T, st store.Store, origin string, signer audit.Signer, w witness, n int) *audit.Log {
	t.Helper()
	l := audit.NewLog(st, origin, signer, audit.Options{Witnesses: []audit.Witness{w}, WitnessEvery: -1})
	appendN(t, st, n)
	if c := integrate(t, l); c.Size != 8 {
		t.Fatalf("forged checkpoint of size %d, want 8", c.Size)
	}
	return l
}

// checkModes are the two ways a witnessed history is compared with a log.
var checkModes = []struct {
	name  string
	check func(t *testing.T, l *audit.Log, h audit.WitnessHistory) (audit.WitnessReport, error)
}{
	{"export", func(t *testing.T, l *audit.Log, h audit.WitnessHistory) (audit.WitnessReport, error) {
		dir := filepath.Join(t.TempDir(), "export")
		if _, err := l.Export(context.Background(), dir); err != nil {
			t.Fatal(err)
		}
		var sizes []uint64
		for _, c := range h.Checkpoints {
			sizes = append(sizes, c.Size)
		}
		res, err := audit.VerifyExport(dir, audit.VerifyOptions{VerifierKey: l.VerifierKey(), RootsAt: sizes})
		if err != nil {
			t.Fatal(err)
		}
		return audit.CheckWitnessed(h.Checkpoints, res.Checkpoint, audit.RootsAgree(res.Roots))
	}},
	{"database", func(t *testing.T, l *audit.Log, h audit.WitnessHistory) (audit.WitnessReport, error) {
		c := integrate(t, l) // nothing new: the latest checkpoint
		return audit.CheckWitnessed(h.Checkpoints, c, l.ConsistentWith(context.Background(), c))
	}},
}

func TestWitnessedHistoryAgrees(t *testing.T) {
	for _, kind := range witnessKinds {
		for _, mode := range checkModes {
			t.Run(kind.name+"/"+mode.name, func(t *testing.T) {
				w := kind.open(t)
				f, _ := genuineHistory(t, w)
				h, err := audit.ReadWitness(context.Background(), w, f.log.Verifier(), audit.WitnessSample{})
				if err != nil {
					t.Fatal(err)
				}
				rep, err := mode.check(t, f.log, h)
				if err != nil || rep.Checked != 3 || rep.Newest != 6 || h.Witnessed != 3 {
					t.Errorf("check = %+v, %v of %d witnessed; want 3 agreeing, the newest 6", rep, err, h.Witnessed)
				}
			})
		}
	}
}

// TestWitnessCatchesRewrittenHistory rewrites the log's history after
// the witness saw it, with witness/latest agreeing with the rewritten
// log, and checks that the witness check names the first witnessed size
// that disagrees.
func TestWitnessCatchesRewrittenHistory(t *testing.T) {
	tests := []struct {
		name     string
		forge    func(t *testing.T, genuine fixture, w witness, atFour string) *audit.Log
		wantSize uint64
		wantErr  error
	}{
		{"records after size 4 rewritten, genuine key", rewriteAfterFour, 6, audit.ErrRewritten},
		{"history forged with another key", forgeWithOtherKey, 2, audit.ErrBadCheckpoint},
	}
	for _, kind := range witnessKinds {
		for _, mode := range checkModes {
			for _, tc := range tests {
				t.Run(fmt.Sprintf("%s/%s/%s", kind.name, mode.name, tc.name), func(t *testing.T) {
					ctx := context.Background()
					w := kind.open(t)
					genuine, atFour := genuineHistory(t, w)
					forged := tc.forge(t, genuine, w, atFour)
					// The newest witnessed checkpoint agrees with the forgery:
					// comparing it alone, as the check once did, passes.
					msg, err := w.Read(ctx, 8)
					if err != nil {
						t.Fatal(err)
					}
					last, err := audit.OpenCheckpoint(msg, forged.Verifier(), forged.Origin())
					if err != nil {
						t.Fatal(err)
					}
					if _, err := mode.check(t, forged, audit.WitnessHistory{Witnessed: 1, Checkpoints: []audit.Checkpoint{last}}); err != nil {
						t.Fatalf("the newest witnessed checkpoint disagrees with the forgery: %v", err)
					}

					h, err := audit.ReadWitness(ctx, w, forged.Verifier(), audit.WitnessSample{})
					if err == nil {
						_, err = mode.check(t, forged, h)
					}
					var we *audit.WitnessError
					if !errors.As(err, &we) || we.Size != tc.wantSize || !errors.Is(err, tc.wantErr) {
						t.Fatalf("check of the whole witnessed history = %v; want a WitnessError of size %d wrapping %v", err, tc.wantSize, tc.wantErr)
					}
				})
			}
		}
	}
}

// TestWitnessSample checks which witnessed checkpoints a bounded check
// reads: the oldest, the newest the previous check covered, an even
// spread of the others before it, and every one since.
func TestWitnessSample(t *testing.T) {
	w := audit.DirWitness(t.TempDir())
	signer, _ := newSigner(t, "example.com/log")
	for size := uint64(1); size <= 100; size++ {
		msg, err := audit.SignCheckpoint(audit.Checkpoint{Origin: "example.com/log", Size: size, Hash: make([]byte, audit.HashSize)}, signer)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Publish(context.Background(), int64(size), msg); err != nil {
			t.Fatal(err)
		}
	}
	upTo := func(from, to uint64) []uint64 {
		var s []uint64
		for i := from; i <= to; i++ {
			s = append(s, i)
		}
		return s
	}
	tests := []struct {
		name   string
		sample audit.WitnessSample
		want   []uint64
	}{
		{"everything", audit.WitnessSample{}, upTo(1, 100)},
		{"since 50, spread 4", audit.WitnessSample{Since: 50, Spread: 4}, append([]uint64{1, 10, 20, 30, 40, 50}, upTo(51, 100)...)},
		{"since 95, no spread", audit.WitnessSample{Since: 95, Spread: -1}, []uint64{1, 95, 96, 97, 98, 99, 100}},
		{"since the newest", audit.WitnessSample{Since: 100, Spread: -1}, []uint64{1, 100}},
		{"since beyond the newest", audit.WitnessSample{Since: 1000, Spread: 1}, []uint64{1, 50, 100}},
		{"spread over fewer sizes", audit.WitnessSample{Since: 3, Spread: 10}, upTo(1, 100)},
		{"default spread", audit.WitnessSample{Since: 100}, nil},
	}
	for _, tt := range tests {
		h, err := audit.ReadWitness(context.Background(), w, signer.Verifier(), tt.sample)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []uint64
		for _, c := range h.Checkpoints {
			got = append(got, c.Size)
		}
		if tt.want == nil { // the oldest, the newest and the default spread
			if len(got) != audit.DefaultWitnessSpread+2 || got[0] != 1 || got[len(got)-1] != 100 {
				t.Errorf("%s: read %v; want 1, 100 and %d between", tt.name, got, audit.DefaultWitnessSpread)
			}
			continue
		}
		if h.Witnessed != 100 || !slices.Equal(got, tt.want) {
			t.Errorf("%s: read %v of %d; want %v", tt.name, got, h.Witnessed, tt.want)
		}
	}
}

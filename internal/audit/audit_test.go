package audit_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/store/sqlite"
)

func TestAppendRejectsUncataloguedActions(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.Update(context.Background(), func(tx store.Tx) error {
		return audit.Append(context.Background(), tx, audit.Event{Action: "customer.teleport"})
	})
	if !errors.Is(err, audit.ErrUnknownAction) {
		t.Fatalf("err = %v, want ErrUnknownAction", err)
	}
}

// TestProofsAtEverySize grows the log in uneven steps, signing a
// checkpoint after each, and checks every entry's inclusion in every
// checkpoint and the consistency of every pair of checkpoints.
func TestProofsAtEverySize(t *testing.T) {
	ctx := context.Background()
	f := openLog(t, audit.Options{})
	st, l := f.st, f.log
	var cps []audit.Checkpoint
	if c := integrate(t, l); c.Size != 0 {
		t.Fatalf("first checkpoint of an empty log has size %d", c.Size)
	}
	for _, step := range []int{1, 1, 2, 5, 8, 13, 3} {
		appendN(t, st, step)
		cps = append(cps, integrate(t, l))
	}
	last := cps[len(cps)-1]
	if last.Size != 33 {
		t.Fatalf("last checkpoint has size %d, want 33", last.Size)
	}
	entries, err := l.Entries(ctx, 0, int64(last.Size))
	if err != nil || len(entries) != 33 {
		t.Fatalf("Entries = %d, %v", len(entries), err)
	}
	for _, c := range cps {
		for _, e := range entries[:c.Size] {
			p, err := l.InclusionProof(ctx, e.Index, int64(c.Size))
			if err != nil {
				t.Fatal(err)
			}
			if err := audit.VerifyInclusion(c, uint64(e.Index), e.Data, p); err != nil {
				t.Errorf("inclusion of %d in %d: %v", e.Index, c.Size, err)
			}
			if len(p) > 0 {
				if audit.VerifyInclusion(c, uint64(e.Index), append([]byte("x"), e.Data...), p) == nil {
					t.Errorf("inclusion of altered leaf %d in %d verified", e.Index, c.Size)
				}
			}
		}
		for _, newer := range cps {
			if newer.Size < c.Size || c.Size == 0 {
				continue
			}
			p, err := l.ConsistencyProof(ctx, int64(c.Size), int64(newer.Size))
			if err != nil {
				t.Fatal(err)
			}
			if err := audit.VerifyConsistency(c, newer, p); err != nil {
				t.Errorf("consistency %d → %d: %v", c.Size, newer.Size, err)
			}
		}
	}
}

func TestProofArgumentsOutOfRange(t *testing.T) {
	ctx := context.Background()
	f := openLog(t, audit.Options{})
	st, l := f.st, f.log
	appendN(t, st, 4)
	integrate(t, l)
	appendN(t, st, 2) // not yet integrated
	tests := []struct {
		name string
		call func() error
	}{
		{"index equal to size", func() error { _, err := l.InclusionProof(ctx, 4, 4); return err }},
		{"negative index", func() error { _, err := l.InclusionProof(ctx, -1, 4); return err }},
		{"size beyond the tree", func() error { _, err := l.InclusionProof(ctx, 0, 6); return err }},
		{"consistency from 0", func() error { _, err := l.ConsistencyProof(ctx, 0, 4); return err }},
		{"consistency backwards", func() error { _, err := l.ConsistencyProof(ctx, 4, 3); return err }},
		{"consistency beyond the tree", func() error { _, err := l.ConsistencyProof(ctx, 2, 5); return err }},
		{"entries beyond the tree", func() error { _, err := l.Entries(ctx, 0, 5); return err }},
		{"empty entries range", func() error { _, err := l.Entries(ctx, 2, 2); return err }},
	}
	for _, tc := range tests {
		if err := tc.call(); !errors.Is(err, audit.ErrOutOfRange) {
			t.Errorf("%s: err = %v, want ErrOutOfRange", tc.name, err)
		}
	}
}

// TestWitnessSpacing checks which checkpoints reach a witness directory:
// the first, then one per WitnessEvery (every one if negative).
func TestWitnessSpacing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		every time.Duration
		want  []string // witnessed sizes after checkpoints of sizes 3 and 5 in quick succession
	}{
		{"default spacing", 0, []string{"3"}},
		{"every checkpoint", -1, []string{"3", "5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			f := openLog(t, audit.Options{WitnessDir: dir, WitnessEvery: tc.every})
			var last []byte
			for _, n := range []int{3, 2} {
				appendN(t, f.st, n)
				msg, _, err := f.log.Integrate(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				last = msg
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range entries {
				if e.Name() != "latest" {
					got = append(got, e.Name())
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("witnessed sizes %v, want %v", got, tc.want)
			}
			latest, err := readFile(filepath.Join(dir, "latest"))
			if want := tc.want[len(tc.want)-1]; err != nil || !strings.Contains(latest, "\n"+want+"\n") {
				t.Errorf("witness latest = %q, %v; want the checkpoint of size %s", latest, err, want)
			}
			if tc.every < 0 && latest != string(last) {
				t.Errorf("witness latest is not the newest checkpoint")
			}
		})
	}
}

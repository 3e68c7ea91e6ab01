package audit_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/audit"
)

// exportLog appends n events, signs a checkpoint and exports to a new
// directory.
func exportLog(t *testing.T, n int) (fixture, string) {
	t.Helper()
	f := openLog(t, audit.Options{})
	appendN(t, f.st, n)
	integrate(t, f.log)
	dir := filepath.Join(t.TempDir(), "export")
	c, err := f.log.Export(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.Size != uint64(n) {
		t.Fatalf("exported checkpoint has size %d, want %d", c.Size, n)
	}
	return f, dir
}

func TestExportVerifies(t *testing.T) {
	f, dir := exportLog(t, 300)
	res, err := audit.VerifyExport(dir, audit.VerifyOptions{VerifierKey: f.log.VerifierKey(), RootsAt: []uint64{0, 7, 300, 301}, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Checkpoint.Size != 300 || res.Checkpoint.Origin != f.log.Origin() {
		t.Errorf("checkpoint = %+v", res.Checkpoint)
	}
	if len(res.Roots) != 3 || string(res.Roots[300]) != string(res.Checkpoint.Hash) {
		t.Errorf("roots at sizes 0, 7 and 300 = %x", res.Roots)
	}
	// The root at 7 is the root of a checkpoint of size 7.
	p, err := f.log.ConsistencyProof(context.Background(), 7, 300)
	if err != nil {
		t.Fatal(err)
	}
	if err := audit.VerifyConsistency(audit.Checkpoint{Size: 7, Hash: res.Roots[7]}, res.Checkpoint, p); err != nil {
		t.Errorf("root at 7 is not consistent with the checkpoint: %v", err)
	}
	if _, err := audit.VerifyExport(dir, audit.VerifyOptions{}); err != nil {
		t.Errorf("with the export's own key: %v", err)
	}
	if _, err := f.log.Export(context.Background(), dir); err == nil {
		t.Error("exporting over an existing export succeeded")
	}
}

// TestVerifyExportDetectsTampering alters an export and checks that
// verification fails, naming the leaf where it can.
func TestVerifyExportDetectsTampering(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(leaves []string) []string
		wantIndex int64 // -1: no particular index
	}{
		{"edit a leaf", func(l []string) []string { l[5] = l[6]; return l }, -1},
		{"drop a leaf", func(l []string) []string { return append(l[:3:3], l[4:]...) }, -1},
		{"swap two leaves", func(l []string) []string { l[1], l[2] = l[2], l[1]; return l }, -1},
		{"add a leaf", func(l []string) []string { return append(l, l[0]) }, -1},
		{"not base64", func(l []string) []string { l[4] = "not base64!"; return l }, 4},
		{"carriage return", func(l []string) []string { l[2] += "\r"; return l }, 2},
		{"trailing space", func(l []string) []string { l[3] += " "; return l }, 3},
		{"blank final line", func(l []string) []string { l[len(l)-1] += "\n"; return l }, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, dir := exportLog(t, 10)
			path := filepath.Join(dir, audit.LeavesFile)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			lines := tc.edit(strings.Split(strings.TrimSuffix(string(b), "\n"), "\n"))
			if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err = audit.VerifyExport(dir, audit.VerifyOptions{VerifierKey: f.log.VerifierKey()})
			if err == nil {
				t.Fatal("a tampered export verified")
			}
			var ve *audit.VerifyError
			if tc.wantIndex >= 0 && (!errors.As(err, &ve) || ve.Index != tc.wantIndex) {
				t.Errorf("err = %v, want a break at index %d", err, tc.wantIndex)
			}
		})
	}
}

func TestVerifyExportRejectsOtherKeys(t *testing.T) {
	_, dir := exportLog(t, 3)
	_, otherKey := newSigner(t, "someone.else/log")
	if _, err := audit.VerifyExport(dir, audit.VerifyOptions{VerifierKey: otherKey}); !errors.Is(err, audit.ErrBadCheckpoint) {
		t.Errorf("with another key: err = %v, want ErrBadCheckpoint", err)
	}
	if err := os.WriteFile(filepath.Join(dir, audit.KeyFile), []byte(otherKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.VerifyExport(dir, audit.VerifyOptions{}); !errors.Is(err, audit.ErrBadCheckpoint) {
		t.Errorf("with a replaced key file: err = %v, want ErrBadCheckpoint", err)
	}
}

package audit_test

import (
	"bytes"
	"encoding/base64"
	"testing"

	"github.com/confide-cc/confide/internal/audit"
)

func FuzzParseCheckpoint(f *testing.F) {
	f.Add([]byte("confide.local/audit/x\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"))
	f.Add([]byte("o\n12\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\next\n"))
	f.Add([]byte("o\n012\nAAAA\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		c, err := audit.ParseCheckpoint(text)
		if err != nil {
			return
		}
		// What parses re-marshals to a prefix of the input (extension
		// lines are dropped).
		if m := c.Marshal(); !bytes.HasPrefix(text, m) {
			t.Fatalf("ParseCheckpoint(%q) = %+v, which marshals to %q", text, c, m)
		}
	})
}

func FuzzOpenCheckpoint(f *testing.F) {
	signer, _ := newSigner(f, "confide.local/audit/fuzz")
	good, err := audit.SignCheckpoint(audit.Checkpoint{Origin: "confide.local/audit/fuzz", Size: 3, Hash: make([]byte, 32)}, signer)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte("confide.local/audit/fuzz\n3\n\n— x y\n"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		c, err := audit.OpenCheckpoint(msg, signer.Verifier(), "confide.local/audit/fuzz")
		if err == nil && (c.Size != 3 || !bytes.Equal(c.Hash, make([]byte, 32))) {
			t.Fatalf("a note not signed by the key opened: %q", msg)
		}
	})
}

func FuzzHashLeaves(f *testing.F) {
	f.Add([]byte("YQ==\nYg==\n"), uint8(2))
	f.Add([]byte("\n\n"), uint8(1))
	f.Add([]byte("YQ==\r\nYg"), uint8(3))
	f.Fuzz(func(t *testing.T, in []byte, workers uint8) {
		size, root, _, err := audit.HashLeaves(bytes.NewReader(in), nil, int(workers%4), []uint64{1})
		if err != nil {
			return
		}
		// Accepted input is exactly size lines of standard base64.
		lines := bytes.Split(in, []byte("\n"))
		if len(lines)-1 != int(size) || len(lines[len(lines)-1]) != 0 {
			t.Fatalf("accepted %q as %d leaves", in, size)
		}
		for _, l := range lines[:size] {
			if _, err := base64.StdEncoding.Strict().DecodeString(string(l)); err != nil {
				t.Fatalf("accepted leaf line %q: %v", l, err)
			}
		}
		if len(root) != audit.HashSize {
			t.Fatalf("root of %d bytes", len(root))
		}
	})
}

func FuzzParsePrefix(f *testing.F) {
	h := base64.StdEncoding.EncodeToString(make([]byte, 32))
	f.Add([]byte("1\n" + h + "\n"))
	f.Add([]byte("3\n" + h + "\n" + h + "\n"))
	f.Add([]byte("3\n" + h + "\n"))
	f.Add([]byte("03\n" + h + "\n" + h + "\n"))
	f.Add([]byte("0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := audit.ParsePrefix(data)
		if err != nil {
			return
		}
		// What parses encodes back to the same bytes.
		if got := audit.EncodePrefix(r); !bytes.Equal(got, data) {
			t.Fatalf("ParsePrefix(%q) encodes back to %q", data, got)
		}
	})
}

package audit_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// TestThirdPartyVerifier verifies an export the way an auditor would
// without Confide's code: with golang.org/x/mod/sumdb/tlog (RFC 6962) and
// golang.org/x/mod/sumdb/note (signed notes) only, following
// docs/AUDIT.md. thirdPartyVerify below must not use package audit.
func TestThirdPartyVerifier(t *testing.T) {
	for _, n := range []int{1, 2, 7, 64, 129} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			f, dir := exportLog(t, n)
			if err := thirdPartyVerify(dir, f.log.VerifierKey()); err != nil {
				t.Fatal(err)
			}
			// And it notices an edit.
			path := filepath.Join(dir, "leaves")
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			first, rest, _ := bytes.Cut(b, []byte("\n"))
			data, err := base64.StdEncoding.DecodeString(string(first))
			if err != nil {
				t.Fatal(err)
			}
			data = bytes.Replace(data, []byte("customer/abc"), []byte("customer/abd"), 1)
			edited := base64.StdEncoding.AppendEncode(nil, data)
			edited = append(append(edited, '\n'), rest...)
			if err := os.WriteFile(path, edited, 0o600); err != nil {
				t.Fatal(err)
			}
			if thirdPartyVerify(dir, f.log.VerifierKey()) == nil {
				t.Error("the third-party verifier accepted an edited export")
			}
		})
	}
}

// hashStore is a tlog.HashReader over stored hashes in memory.
type hashStore []tlog.Hash

func (s hashStore) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(s)) {
			return nil, fmt.Errorf("hash %d not stored", x)
		}
		out[i] = s[x]
	}
	return out, nil
}

func thirdPartyVerify(dir, trustedKey string) error {
	v, err := note.NewVerifier(trustedKey)
	if err != nil {
		return err
	}
	msg, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if err != nil {
		return err
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	lines := strings.SplitN(n.Text, "\n", 4)
	if len(lines) < 4 {
		return fmt.Errorf("checkpoint has %d lines", len(lines))
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return err
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return fmt.Errorf("bad root hash line")
	}
	leaves, err := os.Open(filepath.Join(dir, "leaves"))
	if err != nil {
		return err
	}
	defer leaves.Close()
	var hashes hashStore
	var count int64
	sc := bufio.NewScanner(leaves)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		data, err := base64.StdEncoding.DecodeString(sc.Text())
		if err != nil {
			return fmt.Errorf("leaf %d: %w", count, err)
		}
		stored, err := tlog.StoredHashes(count, data, hashes)
		if err != nil {
			return err
		}
		hashes = append(hashes, stored...)
		count++
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if count != size {
		return fmt.Errorf("%d leaves, checkpoint size %d", count, size)
	}
	got, err := tlog.TreeHash(count, hashes)
	if err != nil {
		return err
	}
	if !bytes.Equal(got[:], root) {
		return fmt.Errorf("root mismatch: computed %x, checkpoint %x", got, root)
	}
	return nil
}

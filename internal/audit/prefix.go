package audit

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"github.com/transparency-dev/merkle/compact"
)

// The prefix file of an export (docs/AUDIT.md, "Exports after
// retention") stands for the leaves [0, N) that expired: its first line
// is N in decimal, and each following line the standard base64 of one
// hash of the compact range [0, N), left to right: the RFC 6962 hashes of
// the perfect subtrees that [0, N) splits into, one per bit set in N,
// from the largest.

// maxPrefixFile bounds a prefix file: 64 hashes and the count.
const maxPrefixFile = 64*(44+1) + 21 // 44: base64 of 32 bytes

// EncodePrefix returns the prefix file for the compact range r, which
// must begin at 0.
func EncodePrefix(r *compact.Range) []byte {
	var b bytes.Buffer
	b.WriteString(strconv.FormatUint(r.End(), 10) + "\n")
	for _, h := range r.Hashes() {
		b.WriteString(base64.StdEncoding.EncodeToString(h) + "\n")
	}
	return b.Bytes()
}

// ParsePrefix parses a prefix file into the compact range [0, N).
func ParsePrefix(data []byte) (*compact.Range, error) {
	if len(data) > maxPrefixFile {
		return nil, fmt.Errorf("audit: prefix file: longer than %d bytes", maxPrefixFile)
	}
	text, ok := strings.CutSuffix(string(data), "\n")
	if !ok {
		return nil, fmt.Errorf("audit: prefix file: does not end with a newline")
	}
	lines := strings.Split(text, "\n")
	n, err := strconv.ParseUint(lines[0], 10, 63)
	if err != nil || lines[0] != strconv.FormatUint(n, 10) || n == 0 {
		return nil, fmt.Errorf("audit: prefix file: first line %q is not a positive leaf count", lines[0])
	}
	if want := bits.OnesCount64(n); len(lines)-1 != want {
		return nil, fmt.Errorf("audit: prefix file: %d leaves need %d hashes, the file has %d", n, want, len(lines)-1)
	}
	hashes := make([][]byte, 0, len(lines)-1)
	for i, line := range lines[1:] {
		h, err := base64.StdEncoding.Strict().DecodeString(line)
		if err != nil || len(h) != HashSize {
			return nil, fmt.Errorf("audit: prefix file: line %d is not the base64 of a %d-byte hash", i+2, HashSize)
		}
		hashes = append(hashes, h)
	}
	return rangeFactory.NewRange(0, n, hashes)
}

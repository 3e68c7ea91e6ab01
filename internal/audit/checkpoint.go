package audit

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Checkpoint is the body of a C2SP tlog-checkpoint
// (https://c2sp.org/tlog-checkpoint): the log's origin, the tree size and
// the RFC 6962 root hash of the first Size leaves.
type Checkpoint struct {
	Origin string
	Size   uint64
	Hash   []byte // 32 bytes
}

// ErrBadCheckpoint is wrapped by every checkpoint parsing or signature
// failure.
var ErrBadCheckpoint = errors.New("audit: bad checkpoint")

// maxOriginLen bounds the origin line; longer is not a Confide checkpoint.
const maxOriginLen = 256

// Marshal returns the checkpoint body: "<origin>\n<size>\n<base64 root>\n".
func (c Checkpoint) Marshal() []byte {
	return fmt.Appendf(nil, "%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Hash))
}

// ParseCheckpoint parses a checkpoint body. Extension lines after the root
// hash are allowed by the format and ignored.
func ParseCheckpoint(text []byte) (Checkpoint, error) {
	if !bytes.HasSuffix(text, []byte("\n")) {
		return Checkpoint{}, fmt.Errorf("%w: body does not end with a newline", ErrBadCheckpoint)
	}
	lines := strings.SplitN(string(text), "\n", 4)
	if len(lines) < 4 {
		return Checkpoint{}, fmt.Errorf("%w: want origin, size and root hash lines", ErrBadCheckpoint)
	}
	origin, sizeText, hashText := lines[0], lines[1], lines[2]
	if origin == "" || len(origin) > maxOriginLen {
		return Checkpoint{}, fmt.Errorf("%w: origin line is empty or longer than %d bytes", ErrBadCheckpoint, maxOriginLen)
	}
	size, err := strconv.ParseUint(sizeText, 10, 64)
	if err != nil || (len(sizeText) > 1 && sizeText[0] == '0') {
		return Checkpoint{}, fmt.Errorf("%w: tree size is not a decimal number without leading zeros", ErrBadCheckpoint)
	}
	hash, err := base64.StdEncoding.Strict().DecodeString(hashText)
	if err != nil || len(hash) != HashSize {
		return Checkpoint{}, fmt.Errorf("%w: root hash is not the standard base64 of %d bytes", ErrBadCheckpoint, HashSize)
	}
	return Checkpoint{Origin: origin, Size: size, Hash: hash}, nil
}

// SignCheckpoint returns c as a signed note signed by s.
func SignCheckpoint(c Checkpoint, s note.Signer) ([]byte, error) {
	msg, err := note.Sign(&note.Note{Text: string(c.Marshal())}, s)
	if err != nil {
		return nil, fmt.Errorf("audit: sign checkpoint: %w", err)
	}
	return msg, nil
}

// OpenCheckpoint verifies that msg is a signed note carrying a valid
// signature by v and parses its checkpoint, whose origin must be origin
// (any origin if empty).
func OpenCheckpoint(msg []byte, v note.Verifier, origin string) (Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: %w", ErrBadCheckpoint, err)
	}
	c, err := ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return Checkpoint{}, err
	}
	if origin != "" && c.Origin != origin {
		return Checkpoint{}, fmt.Errorf("%w: origin %q, want %q", ErrBadCheckpoint, truncate(c.Origin, 64), origin)
	}
	return c, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

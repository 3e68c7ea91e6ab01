package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math"
)

// Tink's AES-GCM-HKDF streaming AEAD wire format, as written by
// github.com/tink-crypto/tink-go/v2/streamingaead/subtle.AESGCMHKDF with
// HKDF-SHA256 and 32-byte keys:
//
//	[offset bytes owned by the caller]
//	header:    header length (1 byte, = 40) || salt (32) || nonce prefix (7)
//	segment 0: AES-GCM(plaintext, nonce 0)      ciphertext segment size - offset - 40 bytes
//	segment i: AES-GCM(plaintext, nonce i)      ciphertext segment size bytes
//	last:      AES-GCM(plaintext, nonce last)   16..ciphertext segment size bytes
//
// The AES-256-GCM key is HKDF-SHA256(ikm = data key, salt, info =
// associated data). The nonce of segment i is nonce prefix || uint32be(i) ||
// last, where last is 1 for the final segment and 0 otherwise; so dropping,
// reordering, duplicating or truncating segments, or appending any, makes a
// segment fail to authenticate. Every segment but the last carries a full
// plaintext segment; the last carries at least one byte unless the whole
// plaintext is empty. Segments after the first start at multiples of the
// ciphertext segment size.
const (
	streamKeySize         = 32
	streamNoncePrefixSize = 7
	streamHeaderSize      = 1 + streamKeySize + streamNoncePrefixSize
	streamTagSize         = 16
	streamNonceSize       = streamNoncePrefixSize + 4 + 1

	// maxSegments is the most segments Tink writes: its segment counter
	// must stay below 2³²-1.
	maxSegments = math.MaxUint32
)

var errStreamSize = errors.New("not a valid size for this streaming format")

// layout locates the segments of a streaming ciphertext.
type layout struct {
	segmentSize int64 // ciphertext segment size
	offset      int64 // bytes before the stream header
}

// firstStart is the position of segment 0.
func (l layout) firstStart() int64 { return l.offset + streamHeaderSize }

// firstSealed is the size of segment 0 when it is not the last.
func (l layout) firstSealed() int64 { return l.segmentSize - l.firstStart() }

// firstPlain is the plaintext size of segment 0 when it is not the last.
func (l layout) firstPlain() int64 { return l.firstSealed() - streamTagSize }

// plainPerSegment is the plaintext size of segments 1.. when not the last.
func (l layout) plainPerSegment() int64 { return l.segmentSize - streamTagSize }

// segmentStart returns the position of segment i.
func (l layout) segmentStart(i int64) int64 {
	if i == 0 {
		return l.firstStart()
	}
	return i * l.segmentSize
}

// locate returns the segment holding plaintext offset off and the offset
// within that segment's plaintext.
func (l layout) locate(off int64) (segment, within int64) {
	if off < l.firstPlain() {
		return 0, off
	}
	off -= l.firstPlain()
	return 1 + off/l.plainPerSegment(), off % l.plainPerSegment()
}

// sizes returns the number of segments and the plaintext size of a
// ciphertext of total bytes (offset included), or errStreamSize if the
// writer never produces a ciphertext of that size.
func (l layout) sizes(total int64) (segments, plain int64, err error) {
	body := total - l.firstStart()
	if body < streamTagSize {
		return 0, 0, errStreamSize
	}
	if body <= l.firstSealed() {
		return 1, body - streamTagSize, nil
	}
	rest := body - l.firstSealed()
	full := (rest - 1) / l.segmentSize // full segments between the first and the last
	last := rest - full*l.segmentSize  // 1..segmentSize
	if last <= streamTagSize || full > maxSegments-2 {
		return 0, 0, errStreamSize
	}
	return full + 2, l.firstPlain() + full*l.plainPerSegment() + last - streamTagSize, nil
}

// ciphertextSize is the inverse of sizes: the total size (offset included)
// of the ciphertext of plain bytes.
func (l layout) ciphertextSize(plain int64) (int64, error) {
	if plain < 0 {
		return 0, errStreamSize
	}
	if plain <= l.firstPlain() {
		return l.firstStart() + plain + streamTagSize, nil
	}
	rest := plain - l.firstPlain()
	full := (rest - 1) / l.plainPerSegment()
	last := rest - full*l.plainPerSegment() // 1..plainPerSegment
	if full > maxSegments-2 {
		return 0, errStreamSize
	}
	return (full+1)*l.segmentSize + last + streamTagSize, nil
}

// segmentCipher decrypts the segments of one streaming ciphertext.
type segmentCipher struct {
	gcm         cipher.AEAD
	noncePrefix [streamNoncePrefixSize]byte
}

// newSegmentCipher parses a stream header and derives the segment key from
// the data key ikm and the associated data aad.
func newSegmentCipher(ikm, header, aad []byte) (*segmentCipher, error) {
	if len(header) != streamHeaderSize || header[0] != streamHeaderSize {
		return nil, ErrDecrypt
	}
	salt := header[1 : 1+streamKeySize]
	key, err := hkdf.Key(sha256.New, ikm, salt, string(aad), streamKeySize)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	c := &segmentCipher{gcm: gcm}
	copy(c.noncePrefix[:], header[1+streamKeySize:])
	return c, nil
}

// open authenticates and decrypts segment i, appending the plaintext to dst.
func (c *segmentCipher) open(dst, sealed []byte, i int64, last bool) ([]byte, error) {
	var nonce [streamNonceSize]byte
	copy(nonce[:], c.noncePrefix[:])
	binary.BigEndian.PutUint32(nonce[streamNoncePrefixSize:], uint32(i))
	if last {
		nonce[streamNonceSize-1] = 1
	}
	return c.gcm.Open(dst, nonce[:], sealed, nil)
}

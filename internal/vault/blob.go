package vault

import (
	"crypto/rand"
	"fmt"
	"io"

	"github.com/tink-crypto/tink-go/v2/core/cryptofmt"
	"github.com/tink-crypto/tink-go/v2/streamingaead/subtle"
)

// Blob format, version 1:
//
//	version     1 byte, = 1
//	wrapped DEK 65 bytes: the blob's 32-byte data key sealed by the
//	            customer's AEAD (0x01 || key id || IV || ciphertext || tag)
//	stream      Tink AES-GCM-HKDF streaming ciphertext of the plaintext
//	            under the data key (see stream.go), 64 KiB segments,
//	            aligned so that segment i ≥ 1 starts at i × 64 KiB
//
// Both the DEK wrap and the stream use the associated data
// "confide/blob/v1/" + blobAD, so a blob moved to another place fails.
const (
	blobVersion     = 1
	blobDEKSize     = 32
	wrappedDEKSize  = cryptofmt.TinkPrefixSize + 12 + blobDEKSize + 16
	blobHeaderSize  = 1 + wrappedDEKSize
	blobSegmentSize = 64 << 10
)

var blobLayout = layout{segmentSize: blobSegmentSize, offset: blobHeaderSize}

func blobAAD(blobAD string) []byte { return []byte("confide/blob/v1/" + blobAD) }

// PlaintextSize returns the plaintext size of a blob ciphertext of
// ciphertextSize bytes. It fails (wrapping ErrDecrypt) for sizes that no
// blob has, such as those of truncated ciphertexts.
func PlaintextSize(ciphertextSize int64) (int64, error) {
	_, plain, err := blobLayout.sizes(ciphertextSize)
	if err != nil {
		return 0, fmt.Errorf("%w: %d bytes is not the size of a blob ciphertext", ErrDecrypt, ciphertextSize)
	}
	return plain, nil
}

// CiphertextSize returns the size of the ciphertext EncryptBlob produces
// for plaintextSize bytes.
func CiphertextSize(plaintextSize int64) (int64, error) {
	n, err := blobLayout.ciphertextSize(plaintextSize)
	if err != nil {
		return 0, fmt.Errorf("vault: a blob cannot hold %d bytes", plaintextSize)
	}
	return n, nil
}

// EncryptBlob starts a blob for the customer: it writes the blob header to
// dst and returns a writer that encrypts what is written to it, one segment
// at a time, onto dst. Close writes the final segment; a blob not closed is
// incomplete and will not open. No plaintext is ever written to dst. After
// an error from Write the blob is unusable and must be discarded. blobAD
// names the blob's place (for example its blob-store key) and must be given
// again to OpenBlob.
func (k *CustomerKeys) EncryptBlob(dst io.Writer, blobAD string) (io.WriteCloser, error) {
	aad := blobAAD(blobAD)
	dek := make([]byte, blobDEKSize)
	defer clear(dek)
	_, _ = rand.Read(dek) // never fails; see crypto/rand.Read
	stream, err := subtle.NewAESGCMHKDF(dek, "SHA256", blobDEKSize, blobSegmentSize, blobHeaderSize)
	if err != nil {
		return nil, fmt.Errorf("vault: blob stream: %w", err)
	}
	wrapped, err := k.aead.Encrypt(dek, aad)
	if err != nil {
		return nil, fmt.Errorf("vault: wrap blob key: %w", err)
	}
	if len(wrapped) != wrappedDEKSize {
		return nil, fmt.Errorf("vault: customer keyset wraps a blob key into %d bytes, want %d", len(wrapped), wrappedDEKSize)
	}
	header := make([]byte, 0, blobHeaderSize)
	header = append(header, blobVersion)
	header = append(header, wrapped...)
	if _, err := dst.Write(header); err != nil {
		return nil, fmt.Errorf("vault: write blob header: %w", err)
	}
	w, err := stream.NewEncryptingWriter(dst, aad)
	if err != nil {
		return nil, fmt.Errorf("vault: blob stream: %w", err)
	}
	return &blobWriter{w: w, stats: k.stats}, nil
}

// blobWriter counts completed blobs and keeps the stream's keys out of fmt
// and slog.
type blobWriter struct {
	redacted
	w      io.WriteCloser
	stats  *counters
	closed bool
}

func (b *blobWriter) Write(p []byte) (int, error) { return b.w.Write(p) }

func (b *blobWriter) Close() error {
	if b.closed {
		return nil
	}
	if err := b.w.Close(); err != nil {
		return err
	}
	b.closed = true
	b.stats.blobEncrypts.Add(1)
	return nil
}

// OpenBlob opens a blob of ciphertextSize bytes in src, written by
// EncryptBlob with the same customer keys and blobAD. It reads the header
// and the last segment (authenticating the size); the returned reader
// decrypts other segments on demand. A wrong key or blobAD, truncation,
// extension or tampering fails with ErrDecrypt, here or on a later read.
func (k *CustomerKeys) OpenBlob(src io.ReaderAt, ciphertextSize int64, blobAD string) (*BlobReader, error) {
	if _, _, err := blobLayout.sizes(ciphertextSize); err != nil {
		return nil, k.stats.fail()
	}
	header := make([]byte, blobHeaderSize)
	if err := readFull(src, header, 0, k.stats); err != nil {
		return nil, err
	}
	if header[0] != blobVersion {
		return nil, k.stats.fail()
	}
	aad := blobAAD(blobAD)
	dek, err := k.aead.Decrypt(header[1:], aad)
	if err != nil {
		return nil, k.stats.fail()
	}
	defer clear(dek)
	r, err := newBlobReader(src, ciphertextSize, blobLayout, dek, aad, k.stats)
	if err != nil {
		return nil, err
	}
	k.stats.blobOpens.Add(1)
	return r, nil
}

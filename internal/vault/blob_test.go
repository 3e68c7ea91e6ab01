package vault_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/vault"
)

// Version 1 blob geometry: a 66-byte blob header and Tink's 40-byte stream
// header precede the first segment; segments are 64 KiB with 16-byte tags.
const (
	firstPlain   = 64<<10 - 66 - 40 - 16 // plaintext bytes in the first segment
	segmentPlain = 64<<10 - 16           // plaintext bytes in every other segment
)

func bytesReader(b []byte) io.ReaderAt { return bytes.NewReader(b) }

// encryptBlob encrypts pt, writing it in uneven chunks.
func encryptBlob(t testing.TB, k *vault.CustomerKeys, blobAD string, pt []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := k.EncryptBlob(&buf, blobAD)
	if err != nil {
		t.Fatal(err)
	}
	for rest, chunk := pt, 1; len(rest) > 0; chunk = chunk*3 + 1 {
		n := min(chunk, len(rest))
		if _, err := w.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 0))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestBlobRoundTrip(t *testing.T) {
	k := newCustomer(t, newVault(t), "c1")
	for _, size := range []int{
		0, 1, 1000,
		firstPlain - 1, firstPlain, firstPlain + 1,
		firstPlain + segmentPlain - 1, firstPlain + segmentPlain, firstPlain + segmentPlain + 1,
		firstPlain + 5*segmentPlain + 12345,
	} {
		pt := randomBytes(uint64(size), size)
		blob := encryptBlob(t, k, "blob-1", pt)
		wantSize, err := vault.CiphertextSize(int64(size))
		if err != nil || wantSize != int64(len(blob)) {
			t.Errorf("size %d: CiphertextSize = %d, %v; blob is %d bytes", size, wantSize, err, len(blob))
		}
		if got, err := vault.PlaintextSize(int64(len(blob))); err != nil || got != int64(size) {
			t.Errorf("size %d: PlaintextSize = %d, %v", size, got, err)
		}
		r, err := k.OpenBlob(bytesReader(blob), int64(len(blob)), "blob-1")
		if err != nil {
			t.Fatalf("size %d: OpenBlob: %v", size, err)
		}
		if r.Size() != int64(size) {
			t.Errorf("size %d: Size() = %d", size, r.Size())
		}
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, pt) {
			t.Errorf("size %d: ReadAll = %d bytes, %v", size, len(got), err)
		}
		checkRandomReadAt(t, r, pt)
	}
}

// checkRandomReadAt compares ReadAt at random offsets and lengths with pt.
func checkRandomReadAt(t *testing.T, r *vault.BlobReader, pt []byte) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(len(pt)), 1))
	for range 50 {
		off := rng.IntN(len(pt) + 2)
		p := make([]byte, rng.IntN(3*segmentPlain))
		n, err := r.ReadAt(p, int64(off))
		want := pt[min(off, len(pt)):min(off+len(p), len(pt))]
		if n != len(want) || !bytes.Equal(p[:n], want) {
			t.Fatalf("ReadAt(%d bytes, %d) of %d: n = %d, want %d", len(p), off, len(pt), n, len(want))
		}
		if wantErr := len(want) < len(p); wantErr != (err == io.EOF) || (!wantErr && err != nil) {
			t.Fatalf("ReadAt(%d bytes, %d) of %d: err = %v", len(p), off, len(pt), err)
		}
	}
}

func TestBlobCiphertextHasNoPlaintext(t *testing.T) {
	k := newCustomer(t, newVault(t), "c1")
	canary := []byte("CANARY-4111111111111111-")
	blob := encryptBlob(t, k, "b", bytes.Repeat(canary, 10000))
	if bytes.Contains(blob, canary[:8]) {
		t.Fatal("blob ciphertext contains plaintext")
	}
}

func TestBlobTamperingFails(t *testing.T) {
	v := newVault(t)
	k := newCustomer(t, v, "c1")
	const ad = "recordings/r1"
	pt := randomBytes(1, firstPlain+2*segmentPlain+5000) // 4 segments
	blob := encryptBlob(t, k, ad, pt)
	seg := func(i int) []byte { // ciphertext of segment i ≥ 1
		end := min((i+1)*64<<10, len(blob))
		return blob[i*64<<10 : end]
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	flip := func(i int) []byte {
		b := bytes.Clone(blob)
		b[i] ^= 0x10
		return b
	}
	head := blob[:64<<10]
	for _, tc := range []struct {
		name   string
		blob   []byte
		keys   *vault.CustomerKeys
		blobAD string
	}{
		{"truncated by one byte", blob[:len(blob)-1], k, ad},
		{"last segment dropped", blob[:3*64<<10], k, ad},
		{"truncated mid-segment", blob[:2*64<<10+100], k, ad},
		{"middle segment dropped", cat(head, seg(2), seg(3)), k, ad},
		{"segments reordered", cat(head, seg(2), seg(1), seg(3)), k, ad},
		{"segment duplicated", cat(head, seg(1), seg(1), seg(2), seg(3)), k, ad},
		{"bit flipped in version", flip(0), k, ad},
		{"bit flipped in wrapped key", flip(30), k, ad},
		{"bit flipped in stream header", flip(80), k, ad},
		{"bit flipped in first segment", flip(1000), k, ad},
		{"bit flipped in middle segment", flip(2*64<<10 + 77), k, ad},
		{"bit flipped in last tag", flip(len(blob) - 1), k, ad},
		{"one byte appended", cat(blob, []byte{0}), k, ad},
		{"segment appended", cat(blob, seg(1)), k, ad},
		{"wrong blobAD", blob, k, "recordings/r2"},
		{"other customer's keys", blob, newCustomer(t, v, "c2"), ad},
		{"header only", blob[:66], k, ad},
		{"empty", nil, k, ad},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readBlob(tc.keys, tc.blob, tc.blobAD)
			if !errors.Is(err, vault.ErrDecrypt) {
				t.Errorf("err = %v, want ErrDecrypt", err)
			}
			if bytes.Equal(got, pt) {
				t.Errorf("the whole plaintext was returned")
			}
		})
	}
}

// readBlob opens blob and reads it to the end, returning what was read.
func readBlob(k *vault.CustomerKeys, blob []byte, blobAD string) ([]byte, error) {
	r, err := k.OpenBlob(bytesReader(blob), int64(len(blob)), blobAD)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func TestBlobOpenSourceShorterThanDeclared(t *testing.T) {
	k := newCustomer(t, newVault(t), "c1")
	blob := encryptBlob(t, k, "b", randomBytes(2, 3*segmentPlain))
	r, err := k.OpenBlob(bytesReader(blob[:len(blob)-segmentPlain]), int64(len(blob)), "b")
	if !errors.Is(err, vault.ErrDecrypt) {
		t.Errorf("OpenBlob over a short source: %v, %v; want ErrDecrypt", r, err)
	}
}

func TestBlobReaderSeek(t *testing.T) {
	k := newCustomer(t, newVault(t), "c1")
	pt := randomBytes(3, 2*segmentPlain)
	blob := encryptBlob(t, k, "b", pt)
	r, err := k.OpenBlob(bytesReader(blob), int64(len(blob)), "b")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		offset int64
		whence int
		want   int64
	}{
		{firstPlain - 3, io.SeekStart, firstPlain - 3},
		{10, io.SeekCurrent, firstPlain + 17}, // the read advanced 10 bytes
		{-5, io.SeekEnd, int64(len(pt)) - 5},
		{0, io.SeekEnd, int64(len(pt))},
	} {
		pos, err := r.Seek(tc.offset, tc.whence)
		if err != nil || pos != tc.want {
			t.Fatalf("Seek(%d, %d) = %d, %v; want %d", tc.offset, tc.whence, pos, err, tc.want)
		}
		p := make([]byte, 10)
		n, err := io.ReadFull(r, p)
		want := pt[pos:min(pos+10, int64(len(pt)))]
		if !bytes.Equal(p[:n], want) {
			t.Errorf("after Seek to %d: read %x, want %x (%v)", pos, p[:n], want, err)
		}
	}
	if _, err := r.Seek(-1, io.SeekStart); err == nil {
		t.Error("Seek to a negative position succeeded")
	}
	if _, err := r.Seek(0, 42); err == nil {
		t.Error("Seek with an invalid whence succeeded")
	}
	if _, err := r.ReadAt(make([]byte, 1), -1); err == nil {
		t.Error("ReadAt at a negative offset succeeded")
	}
}

func TestBlobServeContentRange(t *testing.T) {
	k := newCustomer(t, newVault(t), "c1")
	pt := randomBytes(4, 3*segmentPlain)
	blob := encryptBlob(t, k, "b", pt)
	r, err := k.OpenBlob(bytesReader(blob), int64(len(blob)), "b")
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/recording", nil)
	req.Header.Set("Range", "bytes=65000-140000")
	rec := httptest.NewRecorder()
	http.ServeContent(rec, req, "recording.wav", time.Time{}, r)
	if rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), pt[65000:140001]) {
		t.Errorf("Range request: status %d, %d bytes", rec.Code, rec.Body.Len())
	}
}

func TestBlobConcurrentReadAt(t *testing.T) {
	k := newCustomer(t, newVault(t), "c1")
	pt := randomBytes(5, 4*segmentPlain)
	blob := encryptBlob(t, k, "b", pt)
	r, err := k.OpenBlob(bytesReader(blob), int64(len(blob)), "b")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			p := make([]byte, 1000)
			for i := range 200 {
				off := int64((g*7919 + i*104729) % (len(pt) - len(p)))
				if _, err := r.ReadAt(p, off); err != nil || !bytes.Equal(p, pt[off:off+int64(len(p))]) {
					t.Errorf("concurrent ReadAt at %d: %v", off, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestBlobWriterLifecycle(t *testing.T) {
	k := newCustomer(t, newVault(t), "c1")
	var buf bytes.Buffer
	w, err := k.EncryptBlob(&buf, "b")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("abc")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	n := buf.Len()
	if err := w.Close(); err != nil || buf.Len() != n {
		t.Errorf("second Close: err %v, wrote %d more bytes", err, buf.Len()-n)
	}
	if _, err := w.Write([]byte("d")); err == nil {
		t.Error("Write after Close succeeded")
	}
}

func TestBlobSizeHelpersRejectImpossibleSizes(t *testing.T) {
	for _, size := range []int64{-1, 0, 66, 66 + 40 + 15, 64<<10 + 16} {
		if _, err := vault.PlaintextSize(size); !errors.Is(err, vault.ErrDecrypt) {
			t.Errorf("PlaintextSize(%d) err = %v, want ErrDecrypt", size, err)
		}
	}
	if _, err := vault.CiphertextSize(-1); err == nil {
		t.Error("CiphertextSize(-1) succeeded")
	}
	if _, err := vault.CiphertextSize(1 << 62); err == nil {
		t.Error("CiphertextSize(2^62) succeeded; blobs hold at most 2^32-1 segments")
	}
}

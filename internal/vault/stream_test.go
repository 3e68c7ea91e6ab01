package vault

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/tink-crypto/tink-go/v2/streamingaead/subtle"
)

// These tests hold the random-access reader to Tink's own AES-GCM-HKDF
// writer and reader, on layouts small enough to enumerate every boundary.

var oracleLayouts = []layout{
	{segmentSize: 128, offset: 0},                          // first segment: 72 plaintext bytes, then 112
	{segmentSize: 150, offset: 66},                         // blob header; first segment: 28 bytes, then 134
	{segmentSize: 4096, offset: 66},                        // first segment: 3974 bytes, then 4080
	{segmentSize: blobSegmentSize, offset: blobHeaderSize}, // the blob format
}

// oracleKey and oracleAAD are fixed so that fuzzing reaches segment
// decryption.
var (
	oracleKey = bytes.Repeat([]byte{0x42}, 32)
	oracleAAD = []byte("confide/blob/v1/oracle")
)

func tinkStream(t testing.TB, l layout) *subtle.AESGCMHKDF {
	t.Helper()
	s, err := subtle.NewAESGCMHKDF(oracleKey, "SHA256", streamKeySize, int(l.segmentSize), int(l.offset))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tinkEncrypt returns l.offset filler bytes followed by Tink's ciphertext
// of pt, written in chunks of random sizes.
func tinkEncrypt(t testing.TB, l layout, pt []byte, rng *rand.Rand) []byte {
	t.Helper()
	buf := bytes.NewBuffer(bytes.Repeat([]byte{0xee}, int(l.offset)))
	w, err := tinkStream(t, l).NewEncryptingWriter(buf, oracleAAD)
	if err != nil {
		t.Fatal(err)
	}
	for rest := pt; len(rest) > 0; {
		n := min(1+rng.IntN(int(2*l.segmentSize)), len(rest))
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

// tinkDecrypt decrypts ct with Tink's reader.
func tinkDecrypt(t testing.TB, l layout, ct []byte, aad []byte) ([]byte, error) {
	t.Helper()
	if len(ct) < int(l.offset) {
		return nil, io.ErrUnexpectedEOF
	}
	r, err := tinkStream(t, l).NewDecryptingReader(bytes.NewReader(ct[l.offset:]), aad)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func openOracle(ct []byte, l layout, aad []byte) (*BlobReader, error) {
	return newBlobReader(bytes.NewReader(ct), int64(len(ct)), l, oracleKey, aad, &counters{})
}

// boundarySizes returns plaintext sizes at and around every kind of
// segment boundary of l.
func boundarySizes(l layout) []int64 {
	fp, ps := l.firstPlain(), l.plainPerSegment()
	var sizes []int64
	for _, base := range []int64{0, fp, fp + ps, fp + 3*ps} {
		for _, d := range []int64{-1, 0, 1} {
			if base+d >= 0 {
				sizes = append(sizes, base+d)
			}
		}
	}
	return append(sizes, fp/2, fp+ps/2, fp+4*ps+ps/3)
}

func TestStreamReaderMatchesTink(t *testing.T) {
	for _, l := range oracleLayouts {
		t.Run(fmt.Sprintf("segment=%d,offset=%d", l.segmentSize, l.offset), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(l.segmentSize), uint64(l.offset)))
			for _, size := range boundarySizes(l) {
				pt := make([]byte, size)
				for i := range pt {
					pt[i] = byte(rng.Uint32())
				}
				ct := tinkEncrypt(t, l, pt, rng)

				if want, err := l.ciphertextSize(size); err != nil || want != int64(len(ct)) {
					t.Fatalf("size %d: ciphertextSize = %d, %v; Tink wrote %d", size, want, err, len(ct))
				}
				if got, err := tinkDecrypt(t, l, ct, oracleAAD); err != nil || !bytes.Equal(got, pt) {
					t.Fatalf("size %d: Tink cannot read its own ciphertext: %v", size, err)
				}
				r, err := openOracle(ct, l, oracleAAD)
				if err != nil {
					t.Fatalf("size %d: open: %v", size, err)
				}
				if r.Size() != size {
					t.Fatalf("size %d: Size() = %d", size, r.Size())
				}
				if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, pt) {
					t.Fatalf("size %d: sequential read differs (%v)", size, err)
				}
				checkReadAtBoundaries(t, r, l, pt)
			}
		})
	}
}

// checkReadAtBoundaries reads every range that starts or ends at or next
// to a segment boundary (for small layouts, every offset).
func checkReadAtBoundaries(t *testing.T, r *BlobReader, l layout, pt []byte) {
	t.Helper()
	size := int64(len(pt))
	var offsets []int64
	if l.segmentSize <= 150 {
		for off := range size + 2 {
			offsets = append(offsets, off)
		}
	} else {
		for b := l.firstPlain(); b <= size+1; b += l.plainPerSegment() {
			offsets = append(offsets, b-2, b-1, b, b+1)
		}
		offsets = append(offsets, 0, 1, size-1, size, size+1)
	}
	ps := l.plainPerSegment()
	lengths := []int64{0, 1, 2, ps - 1, ps, ps + 1, 2*ps + 3, size}
	for _, off := range offsets {
		if off < 0 {
			continue
		}
		for _, n := range lengths {
			p := make([]byte, n)
			got, err := r.ReadAt(p, off)
			lo, hi := min(off, size), min(off+n, size)
			want := pt[lo:hi]
			if got != len(want) || !bytes.Equal(p[:got], want) {
				t.Fatalf("size %d: ReadAt(len %d, off %d) = %d bytes, want %d", size, n, off, got, len(want))
			}
			if short := int64(len(want)) < n; (short && err != io.EOF) || (!short && err != nil) {
				t.Fatalf("size %d: ReadAt(len %d, off %d) err = %v", size, n, off, err)
			}
		}
	}
}

func TestStreamSizesAreInverse(t *testing.T) {
	for _, l := range oracleLayouts[:2] {
		valid := make(map[int64]int64) // ciphertext size -> plaintext size
		for pt := range int64(2000) {
			ct, err := l.ciphertextSize(pt)
			if err != nil {
				t.Fatal(err)
			}
			valid[ct] = pt
		}
		for ct := range int64(2000) {
			_, pt, err := l.sizes(ct)
			want, ok := valid[ct]
			if ok != (err == nil) || (ok && pt != want) {
				t.Fatalf("%+v: sizes(%d) = %d, %v; want %d, valid=%v", l, ct, pt, err, want, ok)
			}
		}
	}
}

func TestStreamSegmentLimit(t *testing.T) {
	l := oracleLayouts[0]
	most := l.firstPlain() + (maxSegments-1)*l.plainPerSegment()
	ct, err := l.ciphertextSize(most)
	if err != nil {
		t.Fatalf("ciphertextSize(%d segments) failed: %v", int64(maxSegments), err)
	}
	if n, pt, err := l.sizes(ct); err != nil || n != maxSegments || pt != most {
		t.Errorf("sizes(%d) = %d segments, %d, %v", ct, n, pt, err)
	}
	if _, err := l.ciphertextSize(most + 1); err == nil {
		t.Errorf("ciphertextSize accepts more than %d segments", int64(maxSegments))
	}
	if _, _, err := l.sizes(ct + 17); err == nil {
		t.Errorf("sizes accepts more than %d segments", int64(maxSegments))
	}
}

// tamperings returns altered copies of ct (laid out as l), each of which
// Tink's reader must reject.
func tamperings(l layout, ct []byte) map[string][]byte {
	out := make(map[string][]byte)
	for n := l.offset; n < int64(len(ct)); n++ {
		out[fmt.Sprintf("truncated to %d", n)] = ct[:n]
	}
	for i := l.offset; i < int64(len(ct)); i++ {
		b := bytes.Clone(ct)
		b[i] ^= 1 << (i % 8)
		out[fmt.Sprintf("bit flipped at %d", i)] = b
	}
	out["one byte appended"] = append(bytes.Clone(ct), 0)
	out["tag appended"] = append(bytes.Clone(ct), ct[len(ct)-16:]...)

	n, _, _ := l.sizes(int64(len(ct)))
	seg := func(i int64) []byte {
		end := int64(len(ct))
		if i < n-1 {
			end = l.segmentStart(i + 1)
		}
		return ct[l.segmentStart(i):end]
	}
	join := func(idx ...int64) []byte {
		b := bytes.Clone(ct[:l.firstStart()])
		for _, i := range idx {
			b = append(b, seg(i)...)
		}
		return b
	}
	if n >= 3 {
		out["segment 1 dropped"] = join(0, 2)
		out["segments 1 and 2 swapped"] = join(0, 2, 1)
		out["segment 1 duplicated"] = join(0, 1, 1, 2)
		out["first segment duplicated"] = join(0, 0, 1, 2)
		out["last segment duplicated"] = join(0, 1, 2, 2)
	}
	if n >= 2 {
		out["last segment dropped"] = join(0)
		out["segment appended"] = append(bytes.Clone(ct), seg(1)...)
	}
	return out
}

func TestStreamReaderRejectsWhatTinkRejects(t *testing.T) {
	for _, l := range oracleLayouts[:2] {
		rng := rand.New(rand.NewPCG(7, uint64(l.segmentSize)))
		for _, size := range []int64{0, 1, l.firstPlain() + 2*l.plainPerSegment() + 5} {
			pt := make([]byte, size)
			ct := tinkEncrypt(t, l, pt, rng)
			cases := tamperings(l, ct)
			cases["wrong associated data"] = ct
			for name, bad := range cases {
				aad := oracleAAD
				if name == "wrong associated data" {
					aad = []byte("confide/blob/v1/other")
				}
				if _, err := tinkDecrypt(t, l, bad, aad); err == nil {
					t.Fatalf("size %d, %s: Tink accepts it; the test case is wrong", size, name)
				}
				got, err := readAllOracle(bad, l, aad)
				if !errors.Is(err, ErrDecrypt) {
					t.Errorf("size %d, %s: err = %v, want ErrDecrypt", size, name, err)
				}
				if size > 0 && bytes.Equal(got, pt) {
					t.Errorf("size %d, %s: the whole plaintext was returned", size, name)
				}
			}
		}
	}
}

func readAllOracle(ct []byte, l layout, aad []byte) ([]byte, error) {
	r, err := openOracle(ct, l, aad)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// FuzzStreamReader feeds altered Tink ciphertexts to the reader under the
// key that made them, so that fuzzing reaches segment handling: it must
// never panic, and may only succeed on ciphertexts Tink also accepts, with
// the same plaintext.
func FuzzStreamReader(f *testing.F) {
	l := oracleLayouts[1]
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int64{0, 1, l.firstPlain(), l.firstPlain() + l.plainPerSegment() + 3} {
		f.Add(tinkEncrypt(f, l, make([]byte, size), rng))
	}
	f.Fuzz(func(t *testing.T, ct []byte) {
		got, err := readAllOracle(ct, l, oracleAAD)
		want, tinkErr := tinkDecrypt(t, l, ct, oracleAAD)
		switch {
		case err != nil && !errors.Is(err, ErrDecrypt):
			t.Fatalf("err = %v, want ErrDecrypt", err)
		case err == nil && tinkErr != nil:
			t.Fatalf("reader accepts a ciphertext Tink rejects (%v)", tinkErr)
		case err == nil && !bytes.Equal(got, want):
			t.Fatalf("reader and Tink disagree on the plaintext")
		}
	})
}

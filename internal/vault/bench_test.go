package vault_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/confide-cc/confide/internal/vault"
)

var (
	fieldSizes = []int{64, 1 << 10, 4 << 10}
	blobSizes  = []int{1 << 20, 16 << 20, 64 << 20}
)

// cpuPerOp starts measuring the process's CPU time; the returned function,
// called after the benchmark loop, reports it per operation as cpu-ns/op.
// Unlike wall time, CPU time barely moves when other processes compete for
// the machine, so ratios between benchmarks stay meaningful on a shared
// host.
func cpuPerOp(b *testing.B) (report func()) {
	start, ok := processCPU()
	return func() {
		end, _ := processCPU()
		if ok && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func sizeName(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%dMiB", n>>20)
	}
	if n >= 1<<10 {
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}

func BenchmarkFieldSeal(b *testing.B) {
	k := newCustomer(b, newVault(b), "c1")
	ad := vault.FieldAD{Table: "customers", Column: "name", Row: "c1"}
	for _, size := range fieldSizes {
		pt := randomBytes(1, size)
		b.Run(sizeName(size), func(b *testing.B) {
			b.SetBytes(int64(size))
			report := cpuPerOp(b)
			for b.Loop() {
				if _, err := k.Seal(pt, ad); err != nil {
					b.Fatal(err)
				}
			}
			report()
		})
	}
}

func BenchmarkFieldOpen(b *testing.B) {
	k := newCustomer(b, newVault(b), "c1")
	ad := vault.FieldAD{Table: "customers", Column: "name", Row: "c1"}
	for _, size := range fieldSizes {
		sealed, err := k.Seal(randomBytes(1, size), ad)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(sizeName(size), func(b *testing.B) {
			b.SetBytes(int64(size))
			report := cpuPerOp(b)
			for b.Loop() {
				if _, err := k.Open(sealed, ad); err != nil {
					b.Fatal(err)
				}
			}
			report()
		})
	}
}

// BenchmarkBlobEncrypt writes the plaintext in 1 MiB chunks, as an upload
// handler copying a request body would.
func BenchmarkBlobEncrypt(b *testing.B) {
	k := newCustomer(b, newVault(b), "c1")
	for _, size := range blobSizes {
		pt := randomBytes(2, size)
		b.Run(sizeName(size), func(b *testing.B) {
			b.SetBytes(int64(size))
			report := cpuPerOp(b)
			for b.Loop() {
				w, err := k.EncryptBlob(io.Discard, "b")
				if err != nil {
					b.Fatal(err)
				}
				for rest := pt; len(rest) > 0; rest = rest[min(1<<20, len(rest)):] {
					if _, err := w.Write(rest[:min(1<<20, len(rest))]); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
			report()
		})
	}
}

// BenchmarkBlobDecrypt measures opening a blob and reading it sequentially
// in 32 KiB reads (what io.Copy and http.ServeContent do), and reading a
// random 64 KiB range with ReadAt, with and without opening the blob first.
func BenchmarkBlobDecrypt(b *testing.B) {
	k := newCustomer(b, newVault(b), "c1")
	for _, size := range blobSizes {
		blob := encryptBlob(b, k, "b", randomBytes(3, size))
		src := bytes.NewReader(blob)
		b.Run(sizeName(size)+"/sequential", func(b *testing.B) {
			buf := make([]byte, 32<<10)
			b.SetBytes(int64(size))
			report := cpuPerOp(b)
			for b.Loop() {
				r, err := k.OpenBlob(src, int64(len(blob)), "b")
				if err != nil {
					b.Fatal(err)
				}
				for {
					_, err := r.Read(buf)
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			report()
		})
		p := make([]byte, 64<<10)
		rng := rand.New(rand.NewPCG(4, 0))
		b.Run(sizeName(size)+"/ReadAt64KiB", func(b *testing.B) {
			r, err := k.OpenBlob(src, int64(len(blob)), "b")
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(p)))
			report := cpuPerOp(b)
			for b.Loop() {
				if _, err := r.ReadAt(p, rng.Int64N(int64(size-len(p)))); err != nil {
					b.Fatal(err)
				}
			}
			report()
		})
		b.Run(sizeName(size)+"/OpenReadAt64KiB", func(b *testing.B) {
			b.SetBytes(int64(len(p)))
			report := cpuPerOp(b)
			for b.Loop() {
				r, err := k.OpenBlob(src, int64(len(blob)), "b")
				if err != nil {
					b.Fatal(err)
				}
				if _, err := r.ReadAt(p, rng.Int64N(int64(size-len(p)))); err != nil {
					b.Fatal(err)
				}
			}
			report()
		})
	}
}

// BenchmarkRawAESGCM is the baseline: one AES-256-GCM Seal or Open of the
// whole buffer with crypto/cipher, no framing, no copies.
func BenchmarkRawAESGCM(b *testing.B) {
	block, err := aes.NewCipher(randomBytes(5, 32))
	if err != nil {
		b.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		b.Fatal(err)
	}
	nonce := make([]byte, gcm.NonceSize())
	for _, size := range append(fieldSizes, blobSizes...) {
		pt := randomBytes(6, size)
		sealed := gcm.Seal(nil, nonce, pt, nil)
		out := make([]byte, 0, len(sealed))
		b.Run("Seal/"+sizeName(size), func(b *testing.B) {
			b.SetBytes(int64(size))
			report := cpuPerOp(b)
			for b.Loop() {
				gcm.Seal(out[:0], nonce, pt, nil)
			}
			report()
		})
		b.Run("Open/"+sizeName(size), func(b *testing.B) {
			b.SetBytes(int64(size))
			report := cpuPerOp(b)
			for b.Loop() {
				if _, err := gcm.Open(out[:0], nonce, sealed, nil); err != nil {
					b.Fatal(err)
				}
			}
			report()
		})
	}
}

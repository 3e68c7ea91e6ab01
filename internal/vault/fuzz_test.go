package vault_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/confide-cc/confide/internal/vault"
)

// FuzzOpenBlob opens arbitrary bytes as a blob. It must never panic, must
// fail only with ErrDecrypt, and may succeed only on a seed blob, unchanged.
func FuzzOpenBlob(f *testing.F) {
	k := newCustomer(f, newVault(f), "c1")
	valid := make(map[string][]byte) // ciphertext -> plaintext
	for _, pt := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte("recording "), 100)} {
		blob := encryptBlob(f, k, "b", pt)
		valid[string(blob)] = pt
		f.Add(blob)
	}
	f.Add([]byte{})
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := k.OpenBlob(bytesReader(data), int64(len(data)), "b")
		if err == nil {
			var got []byte
			got, err = io.ReadAll(r)
			if err == nil {
				want, ok := valid[string(data)]
				if !ok || !bytes.Equal(got, want) {
					t.Fatalf("forged blob of %d bytes opened", len(data))
				}
				return
			}
		}
		if !errors.Is(err, vault.ErrDecrypt) {
			t.Fatalf("err = %v, want ErrDecrypt", err)
		}
	})
}

// FuzzFieldOpen opens arbitrary bytes as a sealed field under arbitrary
// associated data. Only the seed ciphertext under its own FieldAD opens.
func FuzzFieldOpen(f *testing.F) {
	k := newCustomer(f, newVault(f), "c1")
	ad := vault.FieldAD{Table: "customers", Column: "name", Row: "c1"}
	sealed, err := k.Seal([]byte("Ada"), ad)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sealed, ad.Table, ad.Column, ad.Row)
	f.Add(sealed, "customers", "name", "c2")
	f.Add([]byte{}, "", "", "")
	f.Fuzz(func(t *testing.T, data []byte, table, column, row string) {
		got := vault.FieldAD{Table: table, Column: column, Row: row}
		pt, err := k.Open(data, got)
		if err == nil {
			if !bytes.Equal(data, sealed) || got != ad || string(pt) != "Ada" {
				t.Fatalf("forged field opened: %q under %+v", pt, got)
			}
			return
		}
		if !errors.Is(err, vault.ErrDecrypt) || pt != nil {
			t.Fatalf("Open = %q, %v; want ErrDecrypt", pt, err)
		}
	})
}

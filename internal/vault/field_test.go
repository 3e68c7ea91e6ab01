package vault_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/confide-cc/confide/internal/vault"
)

func TestFieldRoundTrip(t *testing.T) {
	k := newCustomer(t, newVault(t), "c1")
	ad := vault.FieldAD{Table: "customers", Column: "phones", Row: "c1"}
	for _, pt := range [][]byte{nil, {0}, []byte("+14155550123"), bytes.Repeat([]byte{0xff, 0}, 2048)} {
		sealed, err := k.Seal(pt, ad)
		if err != nil {
			t.Fatal(err)
		}
		if len(pt) > 4 && bytes.Contains(sealed, pt) {
			t.Errorf("sealed field contains its plaintext")
		}
		got, err := k.Open(sealed, ad)
		if err != nil || !bytes.Equal(got, pt) {
			t.Errorf("Open(Seal(%d bytes)) = %d bytes, %v", len(pt), len(got), err)
		}
	}
}

func TestFieldBoundToItsPlace(t *testing.T) {
	v := newVault(t)
	k := newCustomer(t, v, "c1")
	ad := vault.FieldAD{Table: "customers", Column: "name", Row: "c1"}
	sealed, err := k.Seal([]byte("Ada Lovelace"), ad)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		keys *vault.CustomerKeys
		ad   vault.FieldAD
	}{
		{"other row", k, vault.FieldAD{Table: "customers", Column: "name", Row: "c2"}},
		{"other column", k, vault.FieldAD{Table: "customers", Column: "address", Row: "c1"}},
		{"other table", k, vault.FieldAD{Table: "interactions", Column: "name", Row: "c1"}},
		{"shifted boundary", k, vault.FieldAD{Table: "customersname", Column: "", Row: "c1"}},
		{"empty", k, vault.FieldAD{}},
		{"other customer's keys", newCustomer(t, v, "c2"), ad},
		{"other installation's keys", newCustomer(t, newVault(t), "c1"), ad},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pt, err := tc.keys.Open(sealed, tc.ad)
			if !errors.Is(err, vault.ErrDecrypt) || pt != nil {
				t.Errorf("Open = %q, %v; want ErrDecrypt", pt, err)
			}
			if err != nil && err.Error() != vault.ErrDecrypt.Error() {
				t.Errorf("error %q says more than ErrDecrypt", err)
			}
		})
	}
}

func TestFieldADEncodingIsUnambiguous(t *testing.T) {
	k := newCustomer(t, newVault(t), "c1")
	for _, pair := range [][2]vault.FieldAD{
		{{Table: "a|b", Column: "c"}, {Table: "a", Column: "b|c"}},
		{{Table: "ab", Column: ""}, {Table: "a", Column: "b"}},
		{{Column: "x"}, {Row: "x"}},
		{{Table: "t", Column: "c", Row: "r"}, {Table: "t\x01c", Column: "", Row: "r"}},
	} {
		sealed, err := k.Seal([]byte("v"), pair[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := k.Open(sealed, pair[1]); !errors.Is(err, vault.ErrDecrypt) {
			t.Errorf("field sealed for %+v opens as %+v", pair[0], pair[1])
		}
	}
}

func TestFieldTamperingFails(t *testing.T) {
	k := newCustomer(t, newVault(t), "c1")
	ad := vault.FieldAD{Table: "t", Column: "c", Row: "r"}
	sealed, err := k.Seal([]byte("secret value"), ad)
	if err != nil {
		t.Fatal(err)
	}
	for i := range sealed {
		bad := bytes.Clone(sealed)
		bad[i] ^= 0x01
		if _, err := k.Open(bad, ad); !errors.Is(err, vault.ErrDecrypt) {
			t.Errorf("bit flipped in byte %d: err = %v, want ErrDecrypt", i, err)
		}
	}
	for n := range len(sealed) {
		if _, err := k.Open(sealed[:n], ad); !errors.Is(err, vault.ErrDecrypt) {
			t.Errorf("truncated to %d bytes: err = %v, want ErrDecrypt", n, err)
		}
	}
}

func TestOpenCustomerKeysRejects(t *testing.T) {
	ctx := context.Background()
	v := newVault(t)
	_, wrapped, _, err := v.NewCustomerKeys("c1")
	if err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(wrapped)
	flipped[len(flipped)-1] ^= 0x80
	_, foreign, _, err := newVault(t).NewCustomerKeys("c1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, customer string
		wrapped        []byte
	}{
		{"other customer id", "c2", wrapped},
		{"flipped bit", "c1", flipped},
		{"truncated", "c1", wrapped[:len(wrapped)-1]},
		{"empty", "c1", nil},
		{"garbage", "c1", []byte("not a keyset")},
		{"other installation", "c1", foreign},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := v.OpenCustomerKeys(ctx, tc.customer, tc.wrapped); !errors.Is(err, vault.ErrDecrypt) {
				t.Errorf("err = %v, want ErrDecrypt", err)
			}
		})
	}
}

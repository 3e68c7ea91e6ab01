package vault_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/vault"
)

// TestSecretsNeverPrint prints every type that holds key material through
// fmt and slog and checks that only "REDACTED" comes out.
func TestSecretsNeverPrint(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "root.key")
	if _, err := vault.EnsureRootKeyFile(path); err != nil {
		t.Fatal(err)
	}
	rootBytes, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ks := vault.FileKeySource(path)
	v := openVault(t, ks, newMemStore())
	k := newCustomer(t, v, "c1")
	rootAEAD, err := ks.RootAEAD(ctx)
	if err != nil {
		t.Fatal(err)
	}
	blob := encryptBlob(t, k, "b", []byte("blob plaintext"))
	reader, err := k.OpenBlob(bytesReader(blob), int64(len(blob)), "b")
	if err != nil {
		t.Fatal(err)
	}
	writer, err := k.EncryptBlob(&bytes.Buffer{}, "b2")
	if err != nil {
		t.Fatal(err)
	}

	secrets := map[string]any{
		"Vault":          v,
		"CustomerKeys":   k,
		"*CustomerKeys":  *k,
		"BlobReader":     reader,
		"blob writer":    writer,
		"root AEAD":      rootAEAD,
		"AEADKeySource":  vault.AEADKeySource("kms:test", rootAEAD),
		"struct holding": struct{ K *vault.CustomerKeys }{k},
	}
	forbidden := []string{string(rootBytes), hex.EncodeToString(rootBytes), base64.StdEncoding.EncodeToString(rootBytes), "blob plaintext"}
	for name, s := range secrets {
		t.Run(name, func(t *testing.T) {
			var outputs []string
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%q", "%d"} {
				out := fmt.Sprintf(verb, s)
				if name != "struct holding" && out != "REDACTED" {
					t.Errorf("fmt %s = %q, want REDACTED", verb, out)
				}
				outputs = append(outputs, out)
			}
			outputs = append(outputs, fmt.Sprint(s), fmt.Sprintln(s))
			for _, h := range []func(*bytes.Buffer) slog.Handler{
				func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
				func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
			} {
				var buf bytes.Buffer
				slog.New(h(&buf)).Info("event", "secret", s)
				if name != "struct holding" && !strings.Contains(buf.String(), "REDACTED") {
					t.Errorf("slog output %q lacks REDACTED", buf.String())
				}
				outputs = append(outputs, buf.String())
			}
			for _, out := range outputs {
				if !strings.Contains(out, "REDACTED") {
					t.Errorf("output %q does not redact", out)
				}
				for _, f := range forbidden {
					if strings.Contains(out, f) {
						t.Errorf("output %q contains key material or plaintext", out)
					}
				}
			}
		})
	}
}

package users_test

import (
	"testing"

	"github.com/confide-cc/confide/internal/apperr"
)

// FuzzPasskeyResponses feeds arbitrary bytes to both finish steps as the
// browser's response: they must refuse them with a client error (never a
// panic, never a session or a stored passkey).
func FuzzPasskeyResponses(f *testing.F) {
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"clientDataJSON":"e30","authenticatorData":"","signature":""}}`))
	f.Add([]byte(`{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"clientDataJSON":"e30","attestationObject":"oA"}}`))
	f.Add([]byte(`{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"clientDataJSON":"eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0","authenticatorData":"SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFAAAAAQ","signature":"MEUCIQ"}}`))
	f.Add([]byte(`[1,2,3]`))
	f.Add([]byte("\x00\xff"))
	f.Fuzz(func(t *testing.T, resp []byte) {
		f := newPasskeyFixture(t)
		ctx := t.Context()
		u := f.enrollWithPasskey("fuzz@example.com")
		half, err := f.svc.Login(ctx, u.email, goodPassword, browser)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.BeginPasskeyLogin(ctx, half.Secret, browser); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.FinishPasskeyLogin(ctx, half.Secret, resp, browser); apperr.KindOf(err) != apperr.Unauthenticated {
			t.Fatalf("FinishPasskeyLogin(%q) = %v, want invalid_credentials", resp, err)
		}
		full, err := f.passkeySignIn(u)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.BeginPasskeyRegistration(ctx, full.Secret, browser); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.FinishPasskeyRegistration(ctx, full.Secret, "fuzz", resp, browser); apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("FinishPasskeyRegistration(%q) = %v, want an invalid-input error", resp, err)
		}
	})
}

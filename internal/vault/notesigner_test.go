package vault_test

import (
	"context"
	"errors"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/confide-cc/confide/internal/vault"
)

// TestNoteSignerSignsVerifiableNotes signs a note and verifies it with
// nothing but the published verifier key and golang.org/x/mod/sumdb/note.
func TestNoteSignerSignsVerifiableNotes(t *testing.T) {
	ctx := context.Background()
	ks, st := rootKey(t), newMemStore()
	s, err := openVault(t, ks, st).NoteSigner(ctx, "confide.local/audit/test")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := note.Sign(&note.Note{Text: "confide.local/audit/test\n1\nAAAA\n"}, s)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(s.VerifierKey())
	if err != nil {
		t.Fatalf("published verifier key %q does not parse: %v", s.VerifierKey(), err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		t.Fatalf("signed note does not verify: %v", err)
	}
	if len(n.Sigs) != 1 || n.Sigs[0].Name != "confide.local/audit/test" {
		t.Errorf("signatures = %+v, want one by the log's key", n.Sigs)
	}

	// Another node (or a restart) signs with the same stored key.
	again, err := openVault(t, ks, st).NoteSigner(ctx, "confide.local/audit/test")
	if err != nil {
		t.Fatal(err)
	}
	if again.VerifierKey() != s.VerifierKey() {
		t.Errorf("verifier key changed on reopen: %q, then %q", s.VerifierKey(), again.VerifierKey())
	}

	// A tampered note fails.
	tampered := append([]byte("confide.local/audit/test\n2"), msg[len("confide.local/audit/test\n1"):]...)
	var verr *note.UnverifiedNoteError
	if _, err := note.Open(tampered, note.VerifierList(v)); err == nil || errors.As(err, &verr) {
		t.Errorf("tampered note: err = %v, want a signature failure", err)
	}
}

func TestNoteSignerRejectsBadNameAndWrongRootKey(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	v := openVault(t, rootKey(t), st)
	if _, err := v.NoteSigner(ctx, "bad name+with plus"); err == nil {
		t.Error("a key name with spaces and '+' was accepted")
	}
	if _, err := v.NoteSigner(ctx, "ok"); err != nil {
		t.Fatal(err)
	}
	// The stored checkpoint key cannot be unwrapped with another root key.
	other := rootKey(t)
	st2 := newMemStore()
	st2.keysets["audit-checkpoint"] = st.keysets["audit-checkpoint"]
	v2 := openVault(t, other, st2)
	if _, err := v2.NoteSigner(ctx, "ok"); !errors.Is(err, vault.ErrDecrypt) {
		t.Errorf("NoteSigner with the wrong root key: err = %v, want ErrDecrypt", err)
	}
}

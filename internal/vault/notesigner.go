package vault

import (
	"context"
	"fmt"

	"github.com/tink-crypto/tink-go/v2/signature"
	tinked25519 "github.com/tink-crypto/tink-go/v2/signature/ed25519"
	"github.com/tink-crypto/tink-go/v2/tink"
	"golang.org/x/mod/sumdb/note"
)

// checkpointKeysetName names the installation keyset that signs audit-log
// checkpoints.
const checkpointKeysetName = "audit-checkpoint"

// NoteSigner signs audit-log checkpoints as C2SP signed notes with the
// installation's Ed25519 checkpoint key. The private key never leaves Tink;
// it is generated once, on first use, and stored in the SystemKeysetStore
// wrapped by the root key, so every node of an installation signs with the
// same key. It implements note.Signer and is safe for concurrent use.
type NoteSigner struct {
	redacted
	name     string
	sign     tink.Signer
	verifier note.Verifier
	vkey     string
}

var _ note.Signer = (*NoteSigner)(nil)

// NoteSigner returns the checkpoint signer under the key name name (a
// signed-note key name: no spaces, no '+'), creating the checkpoint keyset
// on first use.
func (v *Vault) NoteSigner(ctx context.Context, name string) (*NoteSigner, error) {
	_, h, err := v.loadOrCreate(ctx, checkpointKeysetName, signature.ED25519KeyWithoutPrefixTemplate())
	if err != nil {
		return nil, err
	}
	pub, err := h.Public()
	if err != nil {
		return nil, fmt.Errorf("vault: checkpoint keyset: %w", err)
	}
	entry, err := pub.Primary()
	if err != nil {
		return nil, fmt.Errorf("vault: checkpoint keyset: %w", err)
	}
	pk, ok := entry.Key().(*tinked25519.PublicKey)
	if !ok || len(pk.OutputPrefix()) != 0 {
		return nil, fmt.Errorf("vault: checkpoint keyset: primary key is not a raw Ed25519 key")
	}
	vkey, err := note.NewEd25519VerifierKey(name, pk.KeyBytes())
	if err != nil {
		return nil, fmt.Errorf("vault: checkpoint key name %q: %w", name, err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("vault: checkpoint verifier key: %w", err)
	}
	sign, err := signature.NewSigner(h)
	if err != nil {
		return nil, fmt.Errorf("vault: checkpoint signer: %w", err)
	}
	return &NoteSigner{name: name, sign: sign, verifier: verifier, vkey: vkey}, nil
}

// Name returns the key name (note.Signer).
func (s *NoteSigner) Name() string { return s.name }

// KeyHash returns the key hash that identifies the key in signature lines
// (note.Signer).
func (s *NoteSigner) KeyHash() uint32 { return s.verifier.KeyHash() }

// Sign returns a pure Ed25519 signature of msg (note.Signer).
func (s *NoteSigner) Sign(msg []byte) ([]byte, error) {
	sig, err := s.sign.Sign(msg)
	if err != nil {
		return nil, fmt.Errorf("vault: sign checkpoint: %w", err)
	}
	return sig, nil
}

// Verifier returns the verifier of the signer's signatures.
func (s *NoteSigner) Verifier() note.Verifier { return s.verifier }

// VerifierKey returns the public verifier key in the standard signed-note
// form "<name>+<hash>+<base64 key>", which note.NewVerifier accepts.
func (s *NoteSigner) VerifierKey() string { return s.vkey }

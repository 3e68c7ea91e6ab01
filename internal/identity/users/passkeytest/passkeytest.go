// Package passkeytest is a software WebAuthn authenticator for tests: it
// answers the options of a registration or sign-in ceremony (the JSON the
// server's begin step returns) with the JSON of the PublicKeyCredential a
// browser would send back, using ECDSA P-256 keys, "none" attestation and a
// signature counter the test controls. Browser tests use Chromium's virtual
// authenticator instead; this one lets API and service tests run the
// ceremonies, and forge what a real authenticator would not.
package passkeytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// Credential is a key pair the authenticator holds.
type Credential struct {
	ID         []byte
	UserHandle []byte
	Key        *ecdsa.PrivateKey
	// SignCount is the counter sent with the next assertion (then
	// incremented). Set it lower to imitate a cloned authenticator.
	SignCount uint32
}

// Authenticator is a software authenticator for one relying party, seen
// from one origin.
type Authenticator struct {
	RPID   string // relying party id the client enforces, e.g. "localhost"
	Origin string // origin the client reports, e.g. "http://localhost:8443"
	// AAGUID identifies the authenticator model (zeros if unset).
	AAGUID [16]byte
	// UserVerified sets the UV flag in what it signs.
	UserVerified bool

	mu    sync.Mutex
	creds []*Credential
}

// New returns an authenticator for rpID at origin that verifies the user.
func New(rpID, origin string) *Authenticator {
	return &Authenticator{RPID: rpID, Origin: origin, UserVerified: true, AAGUID: [16]byte{0xc0, 0xf1, 0xde}}
}

// Credentials returns the credentials created so far.
func (a *Authenticator) Credentials() []*Credential {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]*Credential(nil), a.creds...)
}

var b64 = base64.RawURLEncoding

// creationOptions is the part of PublicKeyCredentialCreationOptions used.
type creationOptions struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
		Exclude []struct {
			ID string `json:"id"`
		} `json:"excludeCredentials"`
	} `json:"publicKey"`
}

// requestOptions is the part of PublicKeyCredentialRequestOptions used.
type requestOptions struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RPID      string `json:"rpId"`
		Allow     []struct {
			ID string `json:"id"`
		} `json:"allowCredentials"`
	} `json:"publicKey"`
}

func (a *Authenticator) flags(attested bool) byte {
	f := byte(0x01) // UP
	if a.UserVerified {
		f |= 0x04
	}
	if attested {
		f |= 0x40
	}
	return f
}

func (a *Authenticator) clientData(typ, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": a.Origin, "crossOrigin": false})
	return b
}

// Create answers registration options (the server's begin response) with
// a new credential, as navigator.credentials.create would.
func (a *Authenticator) Create(options []byte) ([]byte, error) {
	var o creationOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("passkeytest: creation options: %w", err)
	}
	if o.PublicKey.RP.ID != a.RPID {
		return nil, fmt.Errorf("passkeytest: relying party %q, want %q", o.PublicKey.RP.ID, a.RPID)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, ex := range o.PublicKey.Exclude {
		for _, c := range a.creds {
			if b64.EncodeToString(c.ID) == ex.ID {
				return nil, errors.New("passkeytest: InvalidStateError: a credential of this authenticator is excluded")
			}
		}
	}
	user, err := b64.DecodeString(o.PublicKey.User.ID)
	if err != nil {
		return nil, fmt.Errorf("passkeytest: user id: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	c := &Credential{ID: make([]byte, 16), UserHandle: user, Key: key, SignCount: 1}
	rand.Read(c.ID)
	a.creds = append(a.creds, c)
	return a.attest(c, o.PublicKey.Challenge, 0)
}

// Attest returns a registration response for an existing credential (as
// if it were registered again) with signCount, for forged replays.
func (a *Authenticator) Attest(c *Credential, options []byte) ([]byte, error) {
	var o creationOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, err
	}
	return a.attest(c, o.PublicKey.Challenge, 0)
}

func (a *Authenticator) attest(c *Credential, challenge string, signCount uint32) ([]byte, error) {
	pub, err := c.Key.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		return nil, err
	}
	x, y := pub[1:33], pub[33:65]
	var cose cbor
	cose.head(5, 5) // map of 5: kty EC2, alg ES256, crv P-256, x, y
	cose.int(1)
	cose.int(2)
	cose.int(3)
	cose.int(-7)
	cose.int(-1)
	cose.int(1)
	cose.int(-2)
	cose.bytes(x)
	cose.int(-3)
	cose.bytes(y)

	rpHash := sha256.Sum256([]byte(a.RPID))
	auth := append([]byte{}, rpHash[:]...)
	auth = append(auth, a.flags(true))
	auth = binary.BigEndian.AppendUint32(auth, signCount)
	auth = append(auth, a.AAGUID[:]...)
	auth = binary.BigEndian.AppendUint16(auth, uint16(len(c.ID)))
	auth = append(auth, c.ID...)
	auth = append(auth, cose...)

	var att cbor
	att.head(5, 3)
	att.text("fmt")
	att.text("none")
	att.text("attStmt")
	att.head(5, 0)
	att.text("authData")
	att.bytes(auth)

	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(c.ID), "rawId": b64.EncodeToString(c.ID), "type": "public-key",
		"authenticatorAttachment": "cross-platform", "clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(a.clientData("webauthn.create", challenge)),
			"attestationObject": b64.EncodeToString(att),
			"transports":        []string{"usb"},
		},
	})
}

// Get answers sign-in options (the server's begin response) with an
// assertion by the first allowed credential this authenticator holds, as
// navigator.credentials.get would, and advances its counter.
func (a *Authenticator) Get(options []byte) ([]byte, error) {
	var o requestOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("passkeytest: request options: %w", err)
	}
	if o.PublicKey.RPID != "" && o.PublicKey.RPID != a.RPID {
		return nil, fmt.Errorf("passkeytest: relying party %q, want %q", o.PublicKey.RPID, a.RPID)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, allow := range o.PublicKey.Allow {
		for _, c := range a.creds {
			if b64.EncodeToString(c.ID) == allow.ID {
				return a.assert(c, o.PublicKey.Challenge)
			}
		}
	}
	return nil, errors.New("passkeytest: NotAllowedError: no allowed credential")
}

// Assert returns an assertion by c over challenge (base64url) whatever the
// options allow, and advances c's counter.
func (a *Authenticator) Assert(c *Credential, options []byte) ([]byte, error) {
	var o requestOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.assert(c, o.PublicKey.Challenge)
}

func (a *Authenticator) assert(c *Credential, challenge string) ([]byte, error) {
	rpHash := sha256.Sum256([]byte(a.RPID))
	auth := append([]byte{}, rpHash[:]...)
	auth = append(auth, a.flags(false))
	auth = binary.BigEndian.AppendUint32(auth, c.SignCount)
	c.SignCount++
	cd := a.clientData("webauthn.get", challenge)
	cdHash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, auth...), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, c.Key, digest[:])
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(c.ID), "rawId": b64.EncodeToString(c.ID), "type": "public-key",
		"authenticatorAttachment": "cross-platform", "clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(cd),
			"authenticatorData": b64.EncodeToString(auth),
			"signature":         b64.EncodeToString(sig),
			"userHandle":        b64.EncodeToString(c.UserHandle),
		},
	})
}

// cbor is a minimal CBOR encoder (RFC 8949): what COSE keys and "none"
// attestation objects need, in canonical order as written.
type cbor []byte

func (c *cbor) head(major byte, n uint64) {
	switch {
	case n < 24:
		*c = append(*c, major<<5|byte(n))
	case n < 1<<8:
		*c = append(*c, major<<5|24, byte(n))
	case n < 1<<16:
		*c = binary.BigEndian.AppendUint16(append(*c, major<<5|25), uint16(n))
	default:
		*c = binary.BigEndian.AppendUint32(append(*c, major<<5|26), uint32(n))
	}
}

func (c *cbor) int(v int64) {
	if v >= 0 {
		c.head(0, uint64(v))
	} else {
		c.head(1, uint64(-1-v))
	}
}

func (c *cbor) bytes(b []byte) { c.head(2, uint64(len(b))); *c = append(*c, b...) }
func (c *cbor) text(s string)  { c.head(3, uint64(len(s))); *c = append(*c, s...) }

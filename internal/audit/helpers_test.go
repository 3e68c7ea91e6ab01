package audit_test

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/store/sqlite"
)

// keySigner is an audit.Signer over a note key pair held in memory.
type keySigner struct {
	note.Signer
	v    note.Verifier
	vkey string
}

func (s keySigner) Verifier() note.Verifier { return s.v }
func (s keySigner) VerifierKey() string     { return s.vkey }

// newSigner returns a fresh Ed25519 note signer named name and its
// verifier key.
func newSigner(t testing.TB, name string) (audit.Signer, string) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return keySigner{Signer: s, v: v, vkey: vkey}, vkey
}

// fixture is a Log over a SQLite store at path, signing with signer.
type fixture struct {
	st     store.Store
	log    *audit.Log
	path   string
	signer audit.Signer
}

// openLog opens a SQLite store at a fresh path and its Log.
func openLog(t testing.TB, opts audit.Options) fixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "a.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := logOn(t, st, opts)
	f.path = path
	return f
}

// logOn returns the Log of st, with a fresh signer.
func logOn(t testing.TB, st store.Store, opts audit.Options) fixture {
	t.Helper()
	origin, err := audit.Origin(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := newSigner(t, origin)
	return fixture{st: st, log: audit.NewLog(st, origin, signer, opts), signer: signer}
}

// appendN appends n customer.read events, one transaction each.
func appendN(t testing.TB, st store.Store, n int) {
	t.Helper()
	ctx := identity.WithPrincipal(context.Background(), identity.Principal{ID: "tok_x", Kind: identity.KindService, Roles: []string{"agent"}})
	for range n {
		ev := audit.NewEvent(ctx, "customer.read", "customer/abc", audit.Success)
		if err := st.Update(ctx, func(tx store.Tx) error { return audit.Append(ctx, tx, ev) }); err != nil {
			t.Fatal(err)
		}
	}
}

// integrate runs one Integrate and returns the parsed checkpoint.
func integrate(t testing.TB, l *audit.Log) audit.Checkpoint {
	t.Helper()
	msg, _, err := l.Integrate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c, err := audit.OpenCheckpoint(msg, l.Verifier(), l.Origin())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

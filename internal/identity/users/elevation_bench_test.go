package users_test

import (
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/identity/users"
)

// BenchmarkAuthenticate measures the per-request cost of a session cookie
// on SQLite: one query for the session, its user, the training attestation
// and the active elevation, and the attributes built from them.
func BenchmarkAuthenticate(b *testing.B) {
	f := newFixture(b, users.Options{})
	u := f.enroll("agent@example.com", identity.RoleAgent)
	if _, err := f.svc.AttestTraining(f.admin, u.ID, f.clock.Now().Add(24*time.Hour)); err != nil {
		b.Fatal(err)
	}
	s := f.signIn(u, browser)
	ctx, _ := f.as(s)
	if _, err := f.svc.RequestBreakGlass(ctx, users.BreakGlassRequest{Reason: "benchmark elevation"}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		p, err := f.svc.Authenticate(b.Context(), s.Secret, browser)
		if err != nil || p.Attributes["break_glass_id"] == "" {
			b.Fatal(p, err)
		}
	}
}

package users_test

import (
	"testing"
	"unicode/utf8"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/identity/users"
)

// FuzzBreakGlassRequest: any request is either granted, with a bounded,
// valid reason and duration, or refused as invalid input — never a panic
// or an internal error.
func FuzzBreakGlassRequest(f *testing.F) {
	f.Add("Customer locked out during outage INC-4411", "cus_1", 15)
	f.Add("short", "", 0)
	f.Add("caller jane@example.org card 4111 1111 1111 1111", "bad id!", 31)
	f.Add("\xff\xfe invalid utf-8 padding padding", "x", -5)
	fx := newFixture(f, users.Options{})
	ctx, _ := fx.as(fx.signIn(fx.enroll("agent@example.com", identity.RoleAgent), browser))
	f.Fuzz(func(t *testing.T, reason, customer string, minutes int) {
		g, err := fx.svc.RequestBreakGlass(ctx, users.BreakGlassRequest{Reason: reason, CustomerID: customer, Minutes: minutes})
		if err != nil {
			if k := apperr.KindOf(err); k != apperr.Invalid {
				t.Fatalf("reason %q, customer %q, minutes %d: %v (kind %v)", reason, customer, minutes, err, k)
			}
			return
		}
		if !utf8.ValidString(g.Reason) || len(g.Reason) > 1000 || utf8.RuneCountInString(g.Reason) < 1 ||
			g.ExpiresAt.Sub(g.CreatedAt) > users.MaxBreakGlass || g.ExpiresAt.Sub(g.CreatedAt) <= 0 {
			t.Fatalf("grant %+v", g)
		}
		if err := fx.svc.EndBreakGlass(ctx, g.ID); err != nil {
			t.Fatal(err)
		}
	})
}

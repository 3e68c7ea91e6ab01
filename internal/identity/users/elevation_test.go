package users_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/identity/users"
)

// as authenticates the session and returns a context carrying its
// principal, as the HTTP layer does.
func (f *fixture) as(s users.Issued) (context.Context, identity.Principal) {
	f.t.Helper()
	p, err := f.svc.Authenticate(f.t.Context(), s.Secret, browser)
	if err != nil {
		f.t.Fatalf("Authenticate: %v", err)
	}
	return identity.WithPrincipal(f.t.Context(), p), p
}

func TestPrincipalAttributes(t *testing.T) {
	f := newFixture(t, users.Options{})
	u := f.enroll("agent@example.com", identity.RoleAgent)
	start := f.clock.Now()
	s := f.signIn(u, browser)
	_, p := f.as(s)
	want := map[string]string{"session": s.ID, "team": "billing", "auth_time": start.Format(time.RFC3339)}
	if !equalMaps(p.Attributes, want) {
		t.Fatalf("attributes %v, want %v", p.Attributes, want)
	}

	// Training and an elevation appear; locked while locked out.
	until := f.clock.Now().Add(365 * 24 * time.Hour).Truncate(time.Second)
	if _, err := f.svc.AttestTraining(f.admin, u.ID, until); err != nil {
		t.Fatal(err)
	}
	ctx, _ := f.as(s)
	g, err := f.svc.RequestBreakGlass(ctx, users.BreakGlassRequest{Reason: "billing outage INC-1", Minutes: 10})
	if err != nil {
		t.Fatal(err)
	}
	_, p = f.as(s)
	if p.Attributes["training_until"] != until.Format(time.RFC3339) || p.Attributes["break_glass_id"] != g.ID ||
		p.Attributes["break_glass_until"] != g.ExpiresAt.Format(time.RFC3339) || p.Attributes["locked"] != "" {
		t.Fatalf("attributes %v", p.Attributes)
	}
	for range 10 {
		if _, err := f.svc.Login(t.Context(), u.email, "wrong password!", sameNet); err == nil {
			t.Fatal("wrong password accepted")
		}
	}
	// A lockout after failed sign-ins neither ends the session nor marks
	// it locked: password guessing must not cut off the working user.
	_, p = f.as(s)
	if p.Attributes["locked"] != "" {
		t.Fatalf("attributes of a user locked out by failed sign-ins %v", p.Attributes)
	}
	// The elevation expires.
	f.clock.Advance(10 * time.Minute)
	_, p = f.as(s)
	if _, ok := p.Attributes["break_glass_id"]; ok {
		t.Fatalf("attributes after expiry %v", p.Attributes)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestReauthWindow(t *testing.T) {
	f := newFixture(t, users.Options{ReauthWindow: 5 * time.Minute})
	admin := f.enroll("admin@example.com", identity.RoleSecurityAdmin)
	target := f.enroll("agent@example.com", identity.RoleAgent)
	s := f.signIn(admin, browser)
	ctx, _ := f.as(s)
	until := f.clock.Now().Add(24 * time.Hour)
	if _, err := f.svc.AttestTraining(ctx, target.ID, until); err != nil {
		t.Fatalf("fresh sign-in: %v", err)
	}
	f.clock.Advance(5 * time.Minute)
	ctx, _ = f.as(s)
	_, err := f.svc.AttestTraining(ctx, target.ID, until)
	wantCode(t, "stale sign-in", err, "reauth_required")
	if evs := f.events("user.training"); len(evs) != 2 || evs[1].Reason != "reauth_required" || evs[1].Outcome != "denied" {
		t.Fatalf("user.training events %+v", evs)
	}

	// Wrong password, wrong code: refused, counted like sign-in failures.
	_, err = f.svc.Reauthenticate(ctx, "not my password", f.code(admin.totp), browser)
	wantCode(t, "reauth with a wrong password", err, "invalid_credentials")
	_, err = f.svc.Reauthenticate(ctx, admin.password, "000000", browser)
	wantCode(t, "reauth with a wrong code", err, "invalid_credentials")
	if evs := f.events("session.reauth"); len(evs) != 2 || evs[0].Reason != "bad_password" || evs[1].Reason != "bad_code" {
		t.Fatalf("session.reauth events %+v", evs)
	}
	// Right: the window opens again, in the same session.
	r, err := f.svc.Reauthenticate(ctx, admin.password, f.code(admin.totp), browser)
	if err != nil {
		t.Fatal(err)
	}
	if !r.ValidUntil.Equal(f.clock.Now().Add(5 * time.Minute)) {
		t.Fatalf("reauth %+v", r)
	}
	ctx, p := f.as(s)
	if p.Attributes["session"] != s.ID || p.Attributes["auth_time"] != f.clock.Now().Format(time.RFC3339) {
		t.Fatalf("attributes after reauth %v", p.Attributes)
	}
	if _, err := f.svc.AttestTraining(ctx, target.ID, until); err != nil {
		t.Fatalf("after reauth: %v", err)
	}
	// A recovery code also re-authenticates.
	if _, err := f.svc.Reauthenticate(ctx, admin.password, admin.recovery[0], browser); err != nil {
		t.Fatalf("reauth with a recovery code: %v", err)
	}

	// Ten failures lock the account like sign-in failures.
	for range 10 {
		f.svc.Reauthenticate(ctx, "not my password", "000000", browser)
	}
	f.clock.Advance(30 * time.Second)
	_, err = f.svc.Reauthenticate(ctx, admin.password, f.code(admin.totp), browser)
	wantCode(t, "reauth while locked", err, "invalid_credentials")
	if n := len(f.events("user.lock")); n != 1 {
		t.Fatalf("%d user.lock events", n)
	}

	// Service tokens cannot re-authenticate and may not act.
	svc := identity.WithPrincipal(t.Context(), identity.Principal{ID: "tok_x", Kind: identity.KindService, Roles: []string{identity.RoleSecurityAdmin}})
	_, err = f.svc.AttestTraining(svc, target.ID, until)
	wantCode(t, "service token", err, "not_a_user")
}

func TestBreakGlassLifecycle(t *testing.T) {
	f := newFixture(t, users.Options{BreakGlassMax: 20 * time.Minute})
	agent := f.enroll("agent@example.com", identity.RoleAgent)
	adminU := f.enroll("admin@example.com", identity.RoleSecurityAdmin)
	sa := f.signIn(agent, browser)
	ctx, _ := f.as(sa)
	for _, tc := range []struct {
		req  users.BreakGlassRequest
		code string
	}{
		{users.BreakGlassRequest{Reason: "too short"}, "reason_required"},
		{users.BreakGlassRequest{Reason: "   padded    "}, "reason_required"},
		{users.BreakGlassRequest{Reason: "a valid reason here", Minutes: 21}, "invalid_minutes"},
		{users.BreakGlassRequest{Reason: "a valid reason here", Minutes: -1}, "invalid_minutes"},
		{users.BreakGlassRequest{Reason: "a valid reason here", CustomerID: "bad id!"}, "invalid_customer_id"},
		{users.BreakGlassRequest{Reason: strings.Repeat("x", 1001)}, "invalid_reason"},
		{users.BreakGlassRequest{Reason: "bad \xff utf-8 reason"}, "invalid_reason"},
	} {
		_, err := f.svc.RequestBreakGlass(ctx, tc.req)
		wantCode(t, tc.req.Reason, err, tc.code)
	}
	// The reason's personal data is redacted before it is stored or audited.
	g, err := f.svc.RequestBreakGlass(ctx, users.BreakGlassRequest{Reason: "caller jane.doe@example.org locked out, INC-77", CustomerID: "cus_1"})
	if err != nil {
		t.Fatal(err)
	}
	if g.Status != "active" || g.Review != "not_due" || !g.ExpiresAt.Equal(g.CreatedAt.Add(20*time.Minute)) ||
		strings.Contains(g.Reason, "jane.doe") || !strings.Contains(g.Reason, "INC-77") {
		t.Fatalf("grant %+v", g)
	}
	ev := f.events("breakglass.request")
	last := ev[len(ev)-1]
	if b, _ := json.Marshal(ev); strings.Contains(string(b), "jane.doe") {
		t.Fatalf("the reason leaked into the audit log: %s", b)
	}
	if last.Outcome != "success" || last.Details["severity"] != "high" || last.Details["customer"] != "cus_1" || last.ActorID != agent.ID {
		t.Fatalf("breakglass.request event %+v", last)
	}
	_, err = f.svc.RequestBreakGlass(ctx, users.BreakGlassRequest{Reason: "a second one please"})
	wantCode(t, "second elevation", err, "already_elevated")

	// Security admins see it; it cannot be reviewed while active.
	sadm := f.signIn(adminU, browser)
	actx, _ := f.as(sadm)
	_, err = f.svc.ReviewBreakGlass(actx, g.ID, users.ReviewJustified, "")
	wantCode(t, "review while active", err, "still_active")
	_, err = f.svc.ListBreakGlass(ctx, users.GrantFilter{})
	wantCode(t, "agent lists", err, "forbidden")
	// Someone else cannot end it (not found); the holder can.
	wantCode(t, "admin ends the agent's elevation", f.svc.EndBreakGlass(actx, g.ID), "not_found")
	if err := f.svc.EndBreakGlass(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "end twice", f.svc.EndBreakGlass(ctx, g.ID), "not_active")
	pending, err := f.svc.ListBreakGlass(actx, users.GrantFilter{PendingReview: true})
	if err != nil || len(pending) != 1 || pending[0].ID != g.ID || pending[0].Status != "ended" || pending[0].Review != "pending" {
		t.Fatalf("pending review %+v, %v", pending, err)
	}
	// A second elevation expires on its own and is pending review too.
	g2, err := f.svc.RequestBreakGlass(ctx, users.BreakGlassRequest{Reason: "another urgent case", Minutes: 1})
	if err != nil {
		t.Fatal(err)
	}
	if pending, _ = f.svc.ListBreakGlass(actx, users.GrantFilter{PendingReview: true}); len(pending) != 1 {
		t.Fatalf("an active elevation is pending review: %+v", pending)
	}
	f.clock.Advance(time.Minute)
	if pending, _ = f.svc.ListBreakGlass(actx, users.GrantFilter{PendingReview: true}); len(pending) != 2 || pending[0].ID != g2.ID || pending[0].Status != "expired" {
		t.Fatalf("pending after expiry %+v", pending)
	}

	// Segregation of duties: a security admin's own elevation is reviewed
	// by someone else. (Security admins cannot take elevations; a
	// privileged principal holding both roles shows the check.)
	both := identity.WithPrincipal(t.Context(), identity.Principal{ID: agent.ID, Kind: identity.KindHuman,
		Roles: []string{identity.RoleSecurityAdmin}})
	_, err = f.svc.ReviewBreakGlass(both, g.ID, users.ReviewJustified, "")
	wantCode(t, "self review", err, "self_approval_not_permitted")
	_, err = f.svc.ReviewBreakGlass(actx, g.ID, "maybe", "")
	wantCode(t, "bad outcome", err, "invalid_outcome")
	r, err := f.svc.ReviewBreakGlass(actx, g.ID, users.ReviewUnjustified, "no ticket for jane.doe@example.org")
	if err != nil || r.Review != "unjustified" || r.ReviewerID != adminU.ID || strings.Contains(r.ReviewNote, "jane.doe") {
		t.Fatalf("review %+v, %v", r, err)
	}
	_, err = f.svc.ReviewBreakGlass(actx, g.ID, users.ReviewJustified, "")
	wantCode(t, "second review", err, "already_reviewed")
	_, err = f.svc.ReviewBreakGlass(actx, "brg_nope", users.ReviewJustified, "")
	wantCode(t, "unknown", err, "not_found")
	rev := f.events("breakglass.review")
	if ok := rev[3]; ok.Outcome != "success" || ok.Details["severity"] != "high" || ok.Details["holder"] != agent.ID ||
		rev[1].Reason != "self_approval_not_permitted" || rev[1].Outcome != "denied" {
		t.Fatalf("review events %+v", rev)
	}
	all, err := f.svc.ListBreakGlass(actx, users.GrantFilter{UserID: agent.ID})
	if err != nil || len(all) != 2 {
		t.Fatalf("all grants %+v, %v", all, err)
	}
}

func TestMFAReset(t *testing.T) {
	f := newFixture(t, users.Options{})
	adminU := f.enroll("admin@example.com", identity.RoleSecurityAdmin)
	u := f.enroll("agent@example.com", identity.RoleAgent)
	us := f.signIn(u, browser)
	as := f.signIn(adminU, browser)
	actx, _ := f.as(as)

	_, err := f.svc.ResetMFA(actx, adminU.ID, "my own")
	wantCode(t, "own MFA", err, "self_not_permitted")
	_, err = f.svc.ResetMFA(actx, u.ID, "  ")
	wantCode(t, "no reason", err, "reason_required")
	_, err = f.svc.ResetMFA(actx, "usr_nobody", "lost phone")
	wantCode(t, "unknown user", err, "not_found")
	uctx, _ := f.as(us)
	_, err = f.svc.ResetMFA(uctx, adminU.ID, "lost phone")
	wantCode(t, "agent resets", err, "forbidden")

	link, err := f.svc.ResetMFA(actx, u.ID, "lost phone, checked in person")
	if err != nil {
		t.Fatal(err)
	}
	// Sessions end; the old factors and password no longer sign in.
	_, err = f.svc.Authenticate(t.Context(), us.Secret, browser)
	wantCode(t, "session after reset", err, "reauthenticate")
	_, err = f.svc.Login(t.Context(), u.email, u.password, browser)
	wantCode(t, "sign-in after reset", err, "invalid_credentials")
	ev := f.events("user.mfa_reset")
	if len(ev) != 5 || ev[4].Outcome != "success" || ev[4].Details["sessions_ended"] != float64(1) || ev[4].Details["webauthn_removed"] != float64(0) {
		t.Fatalf("user.mfa_reset events %+v", ev)
	}
	// Re-enrollment through the new link: a new password and TOTP.
	es, err := f.svc.StartEnrollment(t.Context(), link.Token, users.Setup{}, browser)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.SetPassword(t.Context(), es.Secret, u.password, browser)
	wantCode(t, "old password", err, "password_reused")
	te, err := f.svc.SetPassword(t.Context(), es.Secret, "copper lantern drift hollow", browser)
	if err != nil {
		t.Fatal(err)
	}
	if te.Secret == u.totp {
		t.Fatal("the TOTP secret was not replaced")
	}
	codes, err := f.svc.ConfirmTOTP(t.Context(), es.Secret, f.code(te.Secret), browser)
	if err != nil || len(codes) != 10 {
		t.Fatalf("ConfirmTOTP: %v", err)
	}
	f.clock.Advance(30 * time.Second)
	half, err := f.svc.Login(t.Context(), u.email, "copper lantern drift hollow", browser)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.CompleteMFA(t.Context(), half.Secret, u.recovery[1], browser)
	wantCode(t, "an old recovery code", err, "invalid_credentials")
}

func TestUpdateRolesAndTeam(t *testing.T) {
	f := newFixture(t, users.Options{})
	adminU := f.enroll("admin@example.com", identity.RoleSecurityAdmin)
	u := f.enroll("agent@example.com", identity.RoleAgent)
	us := f.signIn(u, browser)
	actx, _ := f.as(f.signIn(adminU, browser))
	roles := []string{identity.RoleSupervisor, identity.RoleAgent}
	team, badTeam := "collections", "Bad Team"
	for _, tc := range []struct {
		what string
		ctx  context.Context
		id   string
		upd  users.UserUpdate
		code string
	}{
		{"own roles", actx, adminU.ID, users.UserUpdate{Roles: &roles}, "self_not_permitted"},
		{"nothing", actx, u.ID, users.UserUpdate{}, "nothing_to_change"},
		{"bad role", actx, u.ID, users.UserUpdate{Roles: &[]string{"root"}}, "invalid_role"},
		{"integration", actx, u.ID, users.UserUpdate{Roles: &[]string{identity.RoleIntegration}}, "invalid_role"},
		{"no roles", actx, u.ID, users.UserUpdate{Roles: &[]string{}}, "invalid_role"},
		{"bad team", actx, u.ID, users.UserUpdate{Team: &badTeam}, "invalid_team"},
		{"unknown", actx, "usr_nobody", users.UserUpdate{Team: &team}, "not_found"},
	} {
		_, err := f.svc.Update(tc.ctx, tc.id, tc.upd)
		wantCode(t, tc.what, err, tc.code)
	}
	got, err := f.svc.Update(actx, u.ID, users.UserUpdate{Roles: &roles, Team: &team})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Roles, ",") != "agent,supervisor" || got.Team != "collections" {
		t.Fatalf("updated user %+v", got)
	}
	_, err = f.svc.Authenticate(t.Context(), us.Secret, browser)
	wantCode(t, "session after a role change", err, "reauthenticate")
	ev := f.events("user.update")
	last := ev[len(ev)-1]
	if last.Outcome != "success" || last.Details["new_team"] != "collections" || last.Details["old_team"] != "billing" {
		t.Fatalf("user.update %+v", last)
	}
	// The next session carries the new roles and team.
	_, p := f.as(f.signIn(u, browser))
	if strings.Join(p.Roles, ",") != "agent,supervisor" || p.Attributes["team"] != "collections" {
		t.Fatalf("principal after the change %+v", p)
	}
	// An empty team removes it.
	empty := ""
	if got, err = f.svc.Update(actx, u.ID, users.UserUpdate{Team: &empty}); err != nil || got.Team != "" {
		t.Fatalf("team removed: %+v %v", got, err)
	}
}

func TestTrainingListed(t *testing.T) {
	f := newFixture(t, users.Options{})
	u := f.enroll("agent@example.com", identity.RoleAgent)
	for _, until := range []time.Time{f.clock.Now(), f.clock.Now().Add(-time.Hour), f.clock.Now().Add(4 * 366 * 24 * time.Hour)} {
		_, err := f.svc.AttestTraining(f.admin, u.ID, until)
		wantCode(t, until.String(), err, "invalid_expires_at")
	}
	until := f.clock.Now().Add(90 * 24 * time.Hour)
	if _, err := f.svc.AttestTraining(f.admin, u.ID, until); err != nil {
		t.Fatal(err)
	}
	list, err := f.svc.List(f.admin)
	if err != nil || len(list) != 1 || !list[0].TrainingUntil.Equal(until.Truncate(time.Second)) {
		t.Fatalf("list %+v, %v", list, err)
	}
}

func TestContainAndUnlock(t *testing.T) {
	f := newFixture(t, users.Options{})
	u := f.enroll("agent@example.com", identity.RoleAgent)
	s := f.signIn(u, browser)
	_, err := f.svc.Authenticate(t.Context(), s.Secret, browser)
	if err != nil {
		t.Fatal(err)
	}
	ctx, _ := f.as(s)
	if _, err := f.svc.RequestBreakGlass(ctx, users.BreakGlassRequest{Reason: "something urgent"}); err != nil {
		t.Fatal(err)
	}
	// Only the system contains.
	wantCode(t, "an admin contains", f.svc.Contain(f.admin, u.ID, "x"), "forbidden")
	sys := identity.WithPrincipal(t.Context(), identity.Principal{ID: "system:monitor", Kind: identity.KindSystem})
	if err := f.svc.Contain(sys, "usr_nobody", "alert"); err != users.ErrNotAUser {
		t.Fatalf("contain an unknown user: %v", err)
	}
	if err := f.svc.Contain(sys, u.ID, "alert alr_1 (honey)"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Contain(sys, u.ID, "alert alr_1 (honey)"); err != nil {
		t.Fatalf("contain twice: %v", err)
	}
	_, err = f.svc.Authenticate(t.Context(), s.Secret, browser)
	wantCode(t, "contained session", err, "reauthenticate")
	ev := f.events("user.contain")
	if len(ev) != 3 || ev[0].Reason != "system_only" || ev[1].Details["sessions_ended"] != float64(1) || ev[1].Details["elevations_ended"] != float64(1) {
		t.Fatalf("user.contain events %+v", ev)
	}
	// Far beyond any lockout: still locked.
	f.clock.Advance(48 * time.Hour)
	_, err = f.svc.Login(t.Context(), u.email, u.password, browser)
	wantCode(t, "contained sign-in", err, "invalid_credentials")
	list, _ := f.svc.List(f.admin)
	if !list[0].Contained || !list[0].Locked {
		t.Fatalf("listing %+v", list[0])
	}
	// Unlock needs a reason, a fresh authentication, another person.
	fresh := identity.WithPrincipal(t.Context(), identity.Principal{ID: "usr_admin", Kind: identity.KindHuman,
		Roles: []string{identity.RoleSecurityAdmin}, Attributes: map[string]string{"auth_time": f.clock.Now().Format(time.RFC3339)}})
	wantCode(t, "stale admin", f.svc.Unlock(f.admin, u.ID, "checked"), "reauth_required")
	wantCode(t, "no reason", f.svc.Unlock(fresh, u.ID, ""), "reason_required")
	if err := f.svc.Unlock(fresh, u.ID, "false positive, see INC-9"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "unlock twice", f.svc.Unlock(fresh, u.ID, "again"), "not_locked")
	f.signIn(u, browser)
	if ev := f.events("user.unlock"); len(ev) != 4 || ev[2].Outcome != "success" || ev[2].Details["contained"] != true {
		t.Fatalf("user.unlock %+v", ev)
	}
}

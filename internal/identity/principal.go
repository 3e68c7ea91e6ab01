// Package identity knows who is making a request: service accounts (API
// tokens) today, human users with MFA and sessions later. It puts a
// Principal in the request context; everything downstream asks the context.
package identity

import (
	"context"
	"log/slog"
	"slices"
)

// Kind tells humans from service accounts.
type Kind string

const (
	// KindHuman is a person signed in with MFA.
	KindHuman Kind = "human"
	// KindService is an integration authenticated by an API token.
	KindService Kind = "service"
	// KindSystem is Confide itself (background jobs, the CLI acting locally).
	KindSystem Kind = "system"
)

// Role names are fixed; other tools depend on them.
const (
	RoleAgent          = "agent"
	RoleSupervisor     = "supervisor"
	RoleQAAnalyst      = "qa_analyst"
	RolePrivacyOfficer = "privacy_officer"
	RoleSecurityAdmin  = "security_admin"
	RoleAuditor        = "auditor"
	RoleITSupport      = "it_support"
	RoleIntegration    = "integration"
)

// Roles lists every valid role name.
var Roles = []string{RoleAgent, RoleSupervisor, RoleQAAnalyst, RolePrivacyOfficer,
	RoleSecurityAdmin, RoleAuditor, RoleITSupport, RoleIntegration}

// ValidRole reports whether r is a known role name.
func ValidRole(r string) bool { return slices.Contains(Roles, r) }

// Principal is the authenticated actor of a request.
type Principal struct {
	ID    string // stable unique id: "tok_…" for tokens, "usr_…" for users
	Kind  Kind
	Name  string   // display name (a token name or a user's name); not logged
	Roles []string // role names
	// Attributes carry facts policies may use (team, session id, ...).
	Attributes map[string]string
}

// HasRole reports whether p holds role r.
func (p Principal) HasRole(r string) bool { return slices.Contains(p.Roles, r) }

// LogValue keeps logs to the id, kind and roles.
func (p Principal) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", p.ID), slog.String("kind", string(p.Kind)), slog.Any("roles", p.Roles))
}

type ctxKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal of ctx, if any.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}

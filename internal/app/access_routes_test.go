package app_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/api"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/authz"
	"github.com/confide-cc/confide/internal/identity"
)

// apiRoute is one authenticated operation of the OpenAPI description (the
// router's routes: TestOpenAPIOperationsAreDocumented in internal/api
// fails for a route that is not described).
type apiRoute struct {
	method, pattern, action string
	roles                   []string
}

func apiRoutes(t *testing.T) []apiRoute {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]struct {
			Security *[]any   `json:"security"`
			Action   string   `json:"x-confide-action"`
			Roles    []string `json:"x-confide-roles"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	var out []apiRoute
	for p, ops := range doc.Paths {
		for method, op := range ops {
			switch method {
			case "get", "post", "put", "patch", "delete":
			default:
				continue
			}
			if op.Security != nil && len(*op.Security) == 0 {
				continue // public: health, sign-in, enrollment
			}
			out = append(out, apiRoute{strings.ToUpper(method), p, op.Action, op.Roles})
		}
	}
	slices.SortFunc(out, func(a, b apiRoute) int { return strings.Compare(a.method+a.pattern, b.method+b.pattern) })
	return out
}

// TestEveryRouteIsAuthorized walks every authenticated route of the API:
// each names an action the policies know and cover, and a caller whose
// role the policies do not permit is refused (403, or 404 for what they may
// not know exists) with a denied audit event of that action — the proof
// that the route goes through authorization.
func TestEveryRouteIsAuthorized(t *testing.T) {
	e := newEnv(t)
	table := authz.Builtin().Table()
	param := regexp.MustCompile(`\{[^}]+\}`)
	const someID = "0194f1d2-8a43-7c2e-9b3a-2f6d1c0e5a77"
	routes := apiRoutes(t)
	if len(routes) < 20 {
		t.Fatalf("only %d routes", len(routes))
	}
	for _, rt := range routes {
		t.Run(rt.method+" "+rt.pattern, func(t *testing.T) {
			if rt.action == "" {
				t.Fatal("no x-confide-action: the route is not tied to an authorization decision")
			}
			allowed, ok := table[authz.Action(rt.action)]
			if !ok || len(allowed) == 0 {
				t.Fatalf("action %q has no permitting policy", rt.action)
			}
			var role string
			for _, r := range identity.Roles {
				if !slices.Contains(allowed, r) && r != identity.RoleIntegration {
					role = r
					break
				}
			}
			if role == "" {
				role = identity.RoleIntegration
			}
			before := e.auditCount()
			r := e.do(role, rt.method, param.ReplaceAllString(rt.pattern, someID), map[string]any{})
			if r.Status != 403 && r.Status != 404 && r.Status != 401 {
				t.Fatalf("as %s: status %d, want a refusal: %s", role, r.Status, r.Body)
			}
			denied := false
			for _, ev := range e.auditEvents()[before:] {
				// The event names the action or, for the users service, the
				// operation (user.create under user.manage).
				if ev.Outcome == audit.Denied {
					denied = true
				}
			}
			if !denied {
				t.Errorf("as %s: status %d without a denied audit event (%s): %s", role, r.Status, rt.action, r.Body)
			}
		})
	}
}

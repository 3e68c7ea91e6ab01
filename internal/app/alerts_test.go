package app_test

import (
	"testing"

	"github.com/confide-cc/confide/internal/identity"
)

// TestListAlertsEmpty lists alerts of a node that raised none, with and
// without a page size: an empty page, not a server error.
func TestListAlertsEmpty(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/api/v1/alerts", "/api/v1/alerts?limit=10", "/api/v1/alerts?status=open"} {
		var page struct {
			Items      []any  `json:"items"`
			NextBefore string `json:"next_before"`
		}
		e.must(e.do(identity.RoleSecurityAdmin, "GET", path, nil), 200).json(t, &page)
		if page.Items == nil || len(page.Items) != 0 || page.NextBefore != "" {
			t.Errorf("GET %s = %+v, want an empty page", path, page)
		}
	}
}

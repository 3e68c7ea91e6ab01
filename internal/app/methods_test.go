package app_test

import (
	"testing"

	"github.com/confide-cc/confide/internal/identity"
)

// TestWrongMethodIs405 checks that a known path with a method it does not
// serve answers 405 with an Allow header, audited, while an unknown path
// stays 404 — and that the caller must still be authenticated first.
func TestWrongMethodIs405(t *testing.T) {
	e := newEnv(t)
	cid := e.createCustomer(sampleCustomer())
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"PUT", "/api/v1/customers/" + cid, 405, "GET, HEAD, PATCH, DELETE"},
		{"POST", "/api/v1/customers/" + cid, 405, "GET, HEAD, PATCH, DELETE"},
		{"DELETE", "/api/v1/customers", 405, "GET, HEAD, POST"},
		{"GET", "/api/v1/interactions", 405, "POST"},
		{"PATCH", "/api/v1/tokens", 405, "GET, HEAD, POST"},
		{"GET", "/api/v1/nope", 404, ""},
		{"PUT", "/api/v1/customers/" + cid + "/nope", 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			before := e.auditCount()
			r := e.must(e.do(identity.RoleAgent, tc.method, tc.path, nil), tc.status)
			if got := r.Header.Get("Allow"); got != tc.allow {
				t.Errorf("Allow = %q, want %q", got, tc.allow)
			}
			want := "no_such_route"
			if tc.status == 405 {
				want = "method_not_allowed"
			}
			if r.errCode() != want {
				t.Errorf("error code %q, want %q", r.errCode(), want)
			}
			if e.auditCount()-before != 1 || e.lastAudit().Action != "request.denied" || e.lastAudit().Reason != want {
				t.Errorf("not audited as request.denied/%s: %+v", want, e.lastAudit())
			}
		})
	}
	// Unauthenticated: 401 before anything about the route is revealed.
	e.must(e.do("", "PUT", "/api/v1/customers/"+cid, nil), 401)
}

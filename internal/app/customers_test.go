package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/identity"
)

type customerView struct {
	ID      string
	Name    string
	Phones  []string
	Emails  []string
	Address *struct {
		Lines                             []string
		City, Region, PostalCode, Country string
	}
	DateOfBirth    string   `json:"date_of_birth"`
	AccountNumbers []string `json:"account_numbers"`
	Attributes     map[string]string
	Masked         bool
}

func TestCustomerMaskedByDefault(t *testing.T) {
	e := newEnv(t)
	id := e.createCustomer(sampleCustomer())
	var c customerView
	e.must(e.do(identity.RoleAgent, "GET", "/api/v1/customers/"+id, nil), http.StatusOK).json(t, &c)
	want := customerView{
		ID: id, Name: "J*** S***", Phones: []string{"+1 ***-***-0134"}, Emails: []string{"j***@example.com"},
		DateOfBirth: "****-07-28", AccountNumbers: []string{"*******5678"}, Attributes: map[string]string{"tier": "***"}, Masked: true,
	}
	if c.Name != want.Name || strings.Join(c.Phones, ",") != strings.Join(want.Phones, ",") ||
		strings.Join(c.Emails, ",") != strings.Join(want.Emails, ",") || c.DateOfBirth != want.DateOfBirth ||
		strings.Join(c.AccountNumbers, ",") != strings.Join(want.AccountNumbers, ",") || c.Attributes["tier"] != "***" || !c.Masked {
		t.Errorf("masked profile = %+v, want %+v", c, want)
	}
	if c.Address == nil || c.Address.Country != "US" || c.Address.City != "" || c.Address.Lines[0] != "***" {
		t.Errorf("masked address = %+v, want country only", c.Address)
	}
	if ev := e.lastAudit(); ev.Action != "customer.read" || ev.Resource != "customer/"+id || ev.Outcome != "success" {
		t.Errorf("audit event = %+v", ev)
	}
}

func TestRevealNeedsReasonAndPermission(t *testing.T) {
	e := newEnv(t)
	id := e.createCustomer(sampleCustomer())
	path := "/api/v1/customers/" + id + "/reveal"

	var c customerView
	e.must(e.do(identity.RoleAgent, "POST", path, map[string]any{"fields": []string{"phones", "date_of_birth", "name"}, "reason": "caller verification"}), http.StatusOK).json(t, &c)
	if c.Name != "Jane Smith" || c.Phones[0] != "+14155550134" || c.DateOfBirth != "1984-07-28" || c.Masked {
		t.Errorf("revealed = %+v", c)
	}
	if c.Emails != nil || c.AccountNumbers != nil {
		t.Errorf("unrequested fields revealed: %+v", c)
	}
	ev := e.lastAudit()
	if ev.Action != "customer.reveal" || ev.Details["reason"] != "caller verification" {
		t.Errorf("reveal audit = %+v", ev)
	}

	tests := []struct {
		name   string
		role   string
		body   any
		status int
		code   string
	}{
		{"no reason", identity.RoleAgent, map[string]any{"fields": []string{"phones"}}, 400, "reason_required"},
		{"blank reason", identity.RoleAgent, map[string]any{"fields": []string{"phones"}, "reason": "   "}, 400, "reason_required"},
		{"no fields", identity.RoleAgent, map[string]any{"fields": []string{}, "reason": "x"}, 400, "invalid_fields"},
		{"unknown field", identity.RoleAgent, map[string]any{"fields": []string{"ssn"}, "reason": "x"}, 400, "invalid_fields"},
		{"agent may not reveal accounts", identity.RoleAgent, map[string]any{"fields": []string{"account_numbers"}, "reason": "x"}, 403, "forbidden"},
		{"integration reveals nothing", identity.RoleIntegration, map[string]any{"fields": []string{"name"}, "reason": "x"}, 403, "forbidden"},
		{"qa analyst reveals nothing", identity.RoleQAAnalyst, map[string]any{"fields": []string{"name"}, "reason": "x"}, 403, "forbidden"},
		{"auditor cannot see the customer", identity.RoleAuditor, map[string]any{"fields": []string{"name"}, "reason": "x"}, 404, "not_found"},
		{"it support cannot see the customer", identity.RoleITSupport, map[string]any{"fields": []string{"name"}, "reason": "x"}, 404, "not_found"},
		{"supervisor reveals accounts", identity.RoleSupervisor, map[string]any{"fields": []string{"account_numbers"}, "reason": "dispute"}, 200, ""},
		{"privacy officer reveals attributes", identity.RolePrivacyOfficer, map[string]any{"fields": []string{"attributes"}, "reason": "DSAR 42"}, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.auditCount()
			r := e.do(tc.role, "POST", path, tc.body)
			if r.Status != tc.status || (tc.code != "" && r.errCode() != tc.code) {
				t.Fatalf("got %d %s, want %d %s: %s", r.Status, r.errCode(), tc.status, tc.code, r.Body)
			}
			if got := e.auditCount() - before; got != 1 {
				t.Errorf("%d audit events, want 1", got)
			}
		})
	}
}

func TestSearchByBlindIndex(t *testing.T) {
	e := newEnv(t)
	id := e.createCustomer(sampleCustomer())
	other := sampleCustomer()
	other["phones"] = []string{"+44 20 7946 0958"}
	other["emails"] = []string{"someone@example.org"}
	otherID := e.createCustomer(other)

	tests := []struct {
		query string
		want  []string
	}{
		{"phone=" + url.QueryEscape("(415) 555-0134"), []string{id}},
		{"phone=" + url.QueryEscape("+14155550134"), []string{id}},
		{"phone=" + url.QueryEscape("+442079460958"), []string{otherID}},
		{"email=" + url.QueryEscape("JANE.SMITH@example.COM"), []string{id}},
		{"email=" + url.QueryEscape("nobody@example.com"), nil},
		{"phone=" + url.QueryEscape("+1 415 555 0199"), nil},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			var out struct{ Items []customerView }
			e.must(e.do(identity.RoleAgent, "GET", "/api/v1/customers?"+tc.query, nil), http.StatusOK).json(t, &out)
			var got []string
			for _, c := range out.Items {
				got = append(got, c.ID)
				if !c.Masked {
					t.Errorf("search result not masked")
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	for _, q := range []string{"", "phone=abc", "email=not-an-email", "phone=1&email=a@b.co", "name=Jane"} {
		r := e.do(identity.RoleAgent, "GET", "/api/v1/customers?"+q, nil)
		if r.Status != 400 {
			t.Errorf("query %q: status %d, want 400", q, r.Status)
		}
	}
}

func TestRectifyReindexes(t *testing.T) {
	e := newEnv(t)
	id := e.createCustomer(sampleCustomer())
	var c customerView
	e.must(e.do(identity.RoleAgent, "PATCH", "/api/v1/customers/"+id, map[string]any{"phones": []string{"+1 212 555 0188"}, "date_of_birth": nil}), http.StatusOK).json(t, &c)
	if c.Phones[0] != "+1 ***-***-0188" || c.DateOfBirth != "" || c.Name != "J*** S***" {
		t.Errorf("after patch = %+v", c)
	}
	var out struct{ Items []customerView }
	e.must(e.do(identity.RoleAgent, "GET", "/api/v1/customers?phone=%2B14155550134", nil), 200).json(t, &out)
	if len(out.Items) != 0 {
		t.Errorf("old phone still indexed")
	}
	e.must(e.do(identity.RoleAgent, "GET", "/api/v1/customers?phone=%2B12125550188", nil), 200).json(t, &out)
	if len(out.Items) != 1 {
		t.Errorf("new phone not indexed")
	}
	for _, tc := range []struct {
		body   any
		status int
	}{
		{map[string]any{"phones": []string{"12"}}, 400},
		{map[string]any{"name": nil}, 400},
		{map[string]any{"ssn": "x"}, 400},
		{map[string]any{}, 400},
		{map[string]any{"phones": "not-a-list"}, 400},
		{map[string]any{"date_of_birth": "2999-01-01"}, 400},
	} {
		if r := e.do(identity.RoleAgent, "PATCH", "/api/v1/customers/"+id, tc.body); r.Status != tc.status {
			t.Errorf("patch %v: %d, want %d (%s)", tc.body, r.Status, tc.status, r.Body)
		}
	}
	e.must(e.do(identity.RoleAuditor, "PATCH", "/api/v1/customers/"+id, map[string]any{"name": "X Y"}), 404)
	e.must(e.do(identity.RoleQAAnalyst, "PATCH", "/api/v1/customers/"+id, map[string]any{"name": "X Y"}), 403)
}

func TestCreateCustomerValidation(t *testing.T) {
	e := newEnv(t)
	base := func(k string, v any) map[string]any {
		c := sampleCustomer()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	tests := []struct {
		name   string
		body   any
		ctype  string
		status int
		code   string
	}{
		{"malformed json", `{"name": "x",`, "", 400, "malformed_json"},
		{"syntax error", `{"name" "x"}`, "", 400, "malformed_json"},
		{"empty body", ``, "", 400, "malformed_json"},
		{"trailing data", `{"name":"A B"} {"x":1}`, "", 400, "malformed_json"},
		{"unknown field", `{"name":"A B","ssn":"123"}`, "", 400, "unknown_field"},
		{"wrong type", `{"name":"A B","phones":"123"}`, "", 400, "invalid_type"},
		{"wrong content type", `{"name":"A B"}`, "text/plain", 415, "unsupported_media_type"},
		{"missing name", base("name", nil), "", 400, "invalid_name"},
		{"invalid phone", base("phones", []string{"555"}), "", 400, "invalid_phone"},
		{"invalid email", base("emails", []string{"jane@"}), "", 400, "invalid_email"},
		{"email with display name", base("emails", []string{"Jane <jane@example.com>"}), "", 400, "invalid_email"},
		{"invalid date", base("date_of_birth", "28/07/1984"), "", 400, "invalid_date"},
		{"future date", base("date_of_birth", "2999-01-01"), "", 400, "invalid_date"},
		{"bad account", base("account_numbers", []string{"12"}), "", 400, "invalid_account_number"},
		{"control chars", base("name", "Jane\x00Smith"), "", 400, "invalid_text"},
		{"bad country", base("address", map[string]any{"lines": []string{"1 A St"}, "country": "USA"}), "", 400, "invalid_address"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.auditCount()
			var h []string
			if tc.ctype != "" {
				h = []string{"Content-Type", tc.ctype}
			}
			r := e.do(identity.RoleIntegration, "POST", "/api/v1/customers", tc.body, h...)
			if r.Status != tc.status || r.errCode() != tc.code {
				t.Fatalf("got %d %q, want %d %q: %s", r.Status, r.errCode(), tc.status, tc.code, r.Body)
			}
			if e.auditCount()-before != 1 {
				t.Errorf("rejection not audited exactly once")
			}
			if ev := e.lastAudit(); ev.Outcome != "invalid" {
				t.Errorf("audit outcome %q, want invalid", ev.Outcome)
			}
		})
	}
	// Nothing was stored by any of the failures.
	var out struct{ Items []customerView }
	e.must(e.do(identity.RoleAgent, "GET", "/api/v1/customers?phone=%2B14155550134", nil), 200).json(t, &out)
	if len(out.Items) != 0 {
		t.Errorf("a rejected request stored a customer")
	}
}

func TestOversizedBody(t *testing.T) {
	e := newEnv(t, "--max-body-bytes", "1KiB")
	big := sampleCustomer()
	big["attributes"] = map[string]string{"note": strings.Repeat("x", 1000)}
	r := e.do(identity.RoleIntegration, "POST", "/api/v1/customers", big)
	if r.Status != http.StatusRequestEntityTooLarge || r.errCode() != "too_large" {
		t.Fatalf("got %d %s: %s", r.Status, r.errCode(), r.Body)
	}
	if ev := e.lastAudit(); ev.Action != "customer.create" || ev.Outcome != "invalid" {
		t.Errorf("audit = %+v", ev)
	}
	e.must(e.do(identity.RoleIntegration, "POST", "/api/v1/customers", sampleCustomer()), http.StatusCreated)
}

func TestMergePatchNested(t *testing.T) {
	e := newEnv(t)
	c := sampleCustomer()
	c["attributes"] = map[string]string{"tier": "gold", "lang": "fr"}
	id := e.createCustomer(c)
	e.must(e.do(identity.RoleAgent, "PATCH", "/api/v1/customers/"+id,
		`{"attributes":{"tier":null,"vip":"yes"},"address":{"city":"Shelbyville"}}`, "Content-Type", "application/merge-patch+json"), 200)
	var r struct {
		Attributes map[string]string
		Address    struct {
			Lines []string
			City  string
		}
	}
	e.must(e.do(identity.RolePrivacyOfficer, "POST", "/api/v1/customers/"+id+"/reveal", map[string]any{"fields": []string{"attributes", "address"}, "reason": "DSAR 7"}), 200).json(t, &r)
	if len(r.Attributes) != 2 || r.Attributes["lang"] != "fr" || r.Attributes["vip"] != "yes" || r.Address.City != "Shelbyville" || r.Address.Lines[0] != "12 Oak Avenue" {
		t.Errorf("after merge patch: %+v", r)
	}
	if r := e.do(identity.RoleAgent, "PATCH", "/api/v1/customers/"+id, `{"address":{"street":"x"}}`); r.Status != 400 || r.errCode() != "unknown_field" {
		t.Errorf("nested unknown field: %d %s", r.Status, r.errCode())
	}
}

// TestRoleCheckedBeforeBody: a caller who may not act learns nothing from
// validation: they get 403/404 whatever they send.
func TestRoleCheckedBeforeBody(t *testing.T) {
	e := newEnv(t)
	id := e.createCustomer(sampleCustomer())
	for _, tc := range []struct {
		role, method, path string
		status             int
	}{
		{identity.RoleAuditor, "POST", "/api/v1/customers", 403},
		{identity.RoleAuditor, "PATCH", "/api/v1/customers/" + id, 404},
		{identity.RoleQAAnalyst, "PATCH", "/api/v1/customers/" + id, 403},
		{identity.RoleITSupport, "POST", "/api/v1/customers/" + id + "/reveal", 404},
		{identity.RoleQAAnalyst, "POST", "/api/v1/customers/" + id + "/reveal", 403},
		{identity.RoleAuditor, "POST", "/api/v1/interactions", 403},
		{identity.RoleAuditor, "GET", "/api/v1/customers?bogus=1", 403},
		{identity.RoleAuditor, "GET", "/api/v1/customers/" + id + "/interactions?limit=x", 404},
	} {
		if r := e.do(tc.role, tc.method, tc.path, `{"malformed`); r.Status != tc.status {
			t.Errorf("%s %s as %s: %d, want %d", tc.method, tc.path, tc.role, r.Status, tc.status)
		}
	}
}

func TestTokenRequestsAudited(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		method, path string
		body         any
		status       int
		outcome      string
	}{
		{"POST", "/api/v1/tokens", map[string]any{"name": "bad name!", "role": "agent"}, 400, "invalid"},
		{"POST", "/api/v1/tokens", map[string]any{"name": "ok", "role": "emperor"}, 400, "invalid"},
		{"DELETE", "/api/v1/tokens/tok_0000", nil, 404, "not_found"},
	} {
		before := e.auditCount()
		r := e.do(identity.RoleSecurityAdmin, tc.method, tc.path, tc.body)
		if r.Status != tc.status || e.auditCount()-before != 1 || string(e.lastAudit().Outcome) != tc.outcome {
			t.Errorf("%s %s: status %d, %d events, last %+v", tc.method, tc.path, r.Status, e.auditCount()-before, e.lastAudit())
		}
	}
}

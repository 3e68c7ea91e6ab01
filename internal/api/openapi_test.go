package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/confide-cc/confide/internal/api"
	"github.com/confide-cc/confide/internal/app"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/authz"
	"github.com/confide-cc/confide/internal/config"
	"github.com/confide-cc/confide/internal/content"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/records"
)

// appRoutes are served by the composition root (internal/app), not by
// api.Register; TestOpenAPIAgainstServer reaches them through the real
// handler.
var appRoutes = []string{"GET /healthz", "GET /readyz", "GET /metrics"}

// catchAll is the pattern api.Register uses to answer unknown API routes.
const catchAll = "/api/v1/"

var methods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions, http.MethodTrace}

// rawSpec returns the embedded description as generic JSON.
func rawSpec(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	return doc
}

// loadSpec parses the embedded description and validates it against OpenAPI
// 3.1, including every example against its schema.
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPI())
	if err != nil {
		t.Fatalf("load openapi.json: %v", err)
	}
	if err := doc.Validate(loader.Context, openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI document: %v", err)
	}
	return doc
}

// operations returns the description's operations keyed by "METHOD /path".
func operations(doc *openapi3.T) map[string]*openapi3.Operation {
	ops := map[string]*openapi3.Operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops[method+" "+path] = op
		}
	}
	return ops
}

// isPublic reports whether op overrides the global bearer-token requirement
// with no security at all.
func isPublic(op *openapi3.Operation) bool {
	return op.Security != nil && len(*op.Security) == 0
}

var pathParam = regexp.MustCompile(`\{[^}/]+\}`)

// formats asserts the string formats the description uses beyond those
// kin-openapi checks by default (date, date-time).
var formats = []openapi3.SchemaValidationOption{
	openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562)),
	openapi3.WithStringFormatValidator("email", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail)),
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	raw := rawSpec(t)
	doc := loadSpec(t)
	if raw["openapi"] != "3.1.0" || !doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi = %v, want 3.1.0", raw["openapi"])
	}
	info, _ := raw["info"].(map[string]any)
	license, _ := info["license"].(map[string]any)
	if info["title"] != "Confide" || license["identifier"] != "Apache-2.0" {
		t.Errorf("info = %v", info)
	}
	if len(doc.Servers) == 0 || doc.Servers[0].URL != "https://127.0.0.1:8443" {
		t.Errorf("servers = %v", doc.Servers)
	}
	if len(doc.Security) != 1 || doc.Security[0]["bearerAuth"] == nil {
		t.Errorf("global security = %v, want bearerAuth", doc.Security)
	}
	scheme := doc.Components.SecuritySchemes["bearerAuth"]
	if scheme == nil || scheme.Value.Type != "http" || scheme.Value.Scheme != "bearer" {
		t.Errorf("bearerAuth scheme = %+v", scheme)
	}
	// Validate checks the examples of media types and parameters; these are
	// the examples of the schemas themselves.
	for name, s := range doc.Components.Schemas {
		for i, ex := range s.Value.Examples {
			if err := s.Value.VisitJSON(ex, append(slices.Clone(formats), openapi3.EnableJSONSchema2020())...); err != nil {
				t.Errorf("schema %s: example %d does not match: %v", name, i, err)
			}
		}
	}
}

// TestOpenAPIPathsAreTheServedRoutes checks that every operation of the
// description is a route api.Register serves, with the same method and path
// template, and that the server serves no other route.
func TestOpenAPIPathsAreTheServedRoutes(t *testing.T) {
	doc := loadSpec(t)
	mux := http.NewServeMux()
	protected := 0 // protect is called once per authenticated route
	api.New(nil, nil, slog.New(slog.DiscardHandler), 1<<20).Register(mux, func(h http.Handler) http.Handler {
		protected++
		return h
	})
	authenticated := 0
	for path, item := range doc.Paths.Map() {
		inAPI := strings.HasPrefix(path, catchAll)
		ops := item.Operations()
		for _, method := range methods {
			route := method + " " + path
			req := httptest.NewRequest(method, pathParam.ReplaceAllString(path, "x1"), nil)
			_, pattern := mux.Handler(req)
			op, described := ops[method]
			switch {
			case described && inAPI:
				if pattern != route {
					t.Errorf("%s is described but the server routes it to %q", route, pattern)
				}
				if !isPublic(op) {
					authenticated++
				}
			case described:
				if !slices.Contains(appRoutes, route) {
					t.Errorf("%s is described but no handler serves it", route)
				}
			case method == http.MethodHead && ops[http.MethodGet] != nil:
				// A GET route also serves HEAD.
			case inAPI && pattern != catchAll:
				t.Errorf("the server serves %s (pattern %q) but the description does not describe it", route, pattern)
			}
		}
	}
	if protected != authenticated+1 {
		t.Errorf("api.Register protects %d routes (the catch-all %q included); the description has %d authenticated operations",
			protected, catchAll, authenticated)
	}
}

// TestOpenAPIRefsResolve checks that every $ref points into the document
// and that every component is used.
func TestOpenAPIRefsResolve(t *testing.T) {
	raw := rawSpec(t)
	used := map[string]bool{}
	var walk func(node any, at string)
	walk = func(node any, at string) {
		switch n := node.(type) {
		case map[string]any:
			if ref, ok := n["$ref"].(string); ok {
				if _, err := resolve(raw, ref); err != nil {
					t.Errorf("%s: $ref %q: %v", at, ref, err)
				}
				used[ref] = true
			}
			for k, v := range n {
				walk(v, at+"/"+k)
			}
		case []any:
			for i, v := range n {
				walk(v, fmt.Sprintf("%s/%d", at, i))
			}
		}
	}
	walk(raw, "#")
	if len(used) == 0 {
		t.Fatal("no $ref found; the walk is broken")
	}
	components, _ := raw["components"].(map[string]any)
	for kind, group := range components {
		if kind == "securitySchemes" {
			continue // used by name in security requirements
		}
		for name := range group.(map[string]any) {
			if ref := "#/components/" + kind + "/" + name; !used[ref] {
				t.Errorf("%s is never used", ref)
			}
		}
	}
}

// resolve follows a local JSON pointer reference in doc.
func resolve(doc map[string]any, ref string) (any, error) {
	pointer, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, fmt.Errorf("not a local reference")
	}
	var node any = doc
	for _, token := range strings.Split(pointer, "/") {
		token = strings.NewReplacer("~1", "/", "~0", "~").Replace(token)
		m, ok := node.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%q: parent is not an object", token)
		}
		if node, ok = m[token]; !ok {
			return nil, fmt.Errorf("%q: no such member", token)
		}
	}
	return node, nil
}

// TestOpenAPIOperationsAreDocumented checks that every operation has a unique
// operationId, a summary and a description, and that the roles an
// authenticated operation names are the roles authz grants its action.
func TestOpenAPIOperationsAreDocumented(t *testing.T) {
	doc := loadSpec(t)
	ids := map[string]string{}
	for route, op := range operations(doc) {
		if op.OperationID == "" || op.Summary == "" || op.Description == "" {
			t.Errorf("%s: operationId %q, summary %q, description of %d bytes: all are required",
				route, op.OperationID, op.Summary, len(op.Description))
		}
		if other, dup := ids[op.OperationID]; dup {
			t.Errorf("operationId %q is used by %s and %s", op.OperationID, other, route)
		}
		ids[op.OperationID] = route
		if isPublic(op) {
			if signIn, _ := op.Extensions["x-confide-sign-in"].(bool); !signIn && op.Responses.Status(http.StatusUnauthorized) != nil {
				t.Errorf("%s: public, yet documents 401", route)
			}
			continue
		}
		for _, status := range []int{http.StatusUnauthorized, http.StatusInternalServerError} {
			if op.Responses.Status(status) == nil {
				t.Errorf("%s: authenticated, but does not document %d", route, status)
			}
		}
		action, _ := op.Extensions["x-confide-action"].(string)
		allowed, known := authz.Table[authz.Action(action)]
		if !known {
			t.Errorf("%s: x-confide-action %q is not an authz action", route, action)
			continue
		}
		roles := strs(op.Extensions["x-confide-roles"])
		if !sameSet(roles, allowed) {
			t.Errorf("%s: describes roles %v, authz allows %v for %s", route, roles, allowed, action)
		}
		quoted := make([]string, len(roles))
		for i, r := range roles {
			quoted[i] = "`" + r + "`"
		}
		if line := "**Roles:** " + strings.Join(quoted, ", ") + "."; !strings.Contains(op.Description, line) {
			t.Errorf("%s: description lacks %q", route, line)
		}
	}
}

// strs returns v, a decoded JSON array of strings, as a slice; anything
// else yields nil.
func strs(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
	return slices.Equal(a, b)
}

// TestOpenAPIEnumsMatchCode checks the enumerations the description shares
// with the code.
func TestOpenAPIEnumsMatchCode(t *testing.T) {
	doc := loadSpec(t)
	enum := func(name string) []string {
		s := doc.Components.Schemas[name]
		if s == nil {
			t.Fatalf("no schema %s", name)
		}
		return strs(s.Value.Enum)
	}
	for _, tc := range []struct {
		schema string
		code   []string
	}{
		{"Role", identity.Roles},
		{"ProfileField", records.Fields},
		{"Channel", []string{records.ChannelCall, records.ChannelChat, records.ChannelEmail, records.ChannelSMS}},
		{"Speaker", []string{content.SpeakerAgent, content.SpeakerCustomer}},
	} {
		if got := enum(tc.schema); !sameSet(got, tc.code) {
			t.Errorf("%s enum = %v, code has %v", tc.schema, got, tc.code)
		}
	}
	op := operations(doc)["POST /api/v1/customers/{id}/reveal"]
	described, _ := op.Extensions["x-confide-reveal-fields"].(map[string]any)
	if len(described) != len(authz.RevealFields) {
		t.Errorf("reveal fields described for %d roles, authz has %d", len(described), len(authz.RevealFields))
	}
	for role, fields := range authz.RevealFields {
		if got := strs(described[role]); !sameSet(got, fields) {
			t.Errorf("%s may reveal %v, the description says %v", role, fields, got)
		}
	}
}

// TestOpenAPIRequestSchemasAreStrict checks that every object schema with
// properties reachable from a JSON request body sets additionalProperties
// to false: the server decodes every JSON body with unknown fields
// rejected. TestOpenAPIStrictBodiesAgainstServer checks the server side.
func TestOpenAPIRequestSchemasAreStrict(t *testing.T) {
	raw := rawSpec(t)
	checked := 0
	var walk func(node any, at string, seen map[string]bool)
	walk = func(node any, at string, seen map[string]bool) {
		s, ok := node.(map[string]any)
		if !ok {
			return
		}
		if ref, ok := s["$ref"].(string); ok && !seen[ref] {
			seen[ref] = true
			target, err := resolve(raw, ref)
			if err != nil {
				t.Errorf("%s: %v", at, err)
				return
			}
			walk(target, ref, seen)
		}
		if _, ok := s["properties"]; ok && hasType(s, "object") {
			checked++
			if s["additionalProperties"] != false {
				t.Errorf("%s: an object with properties in a request body must set additionalProperties: false", at)
			}
		}
		for _, k := range []string{"items", "additionalProperties", "if", "then", "else"} {
			walk(s[k], at+"/"+k, seen)
		}
		for _, k := range []string{"properties", "$defs"} {
			m, _ := s[k].(map[string]any)
			for name, sub := range m {
				walk(sub, at+"/"+k+"/"+name, seen)
			}
		}
		for _, k := range []string{"allOf", "anyOf", "oneOf", "prefixItems"} {
			list, _ := s[k].([]any)
			for i, sub := range list {
				walk(sub, fmt.Sprintf("%s/%s/%d", at, k, i), seen)
			}
		}
	}
	for route, op := range operations(loadSpec(t)) {
		if op.RequestBody == nil {
			continue
		}
		if media := op.RequestBody.Value.Content.Get("application/json"); media != nil {
			method, path, _ := strings.Cut(route, " ")
			at := "#/paths/" + strings.ReplaceAll(path, "/", "~1") + "/" + strings.ToLower(method)
			body, err := resolve(raw, at+"/requestBody/content/application~1json/schema")
			if err != nil {
				t.Fatalf("%s: %v", route, err)
			}
			walk(body, route, map[string]bool{})
		}
	}
	if checked < 5 {
		t.Fatalf("checked only %d request object schemas; the walk is broken", checked)
	}
}

func hasType(s map[string]any, want string) bool {
	switch t := s["type"].(type) {
	case string:
		return t == want
	case []any:
		return slices.Contains(t, any(want))
	}
	return false
}

// server is a Confide node over fresh SQLite storage and a local blob
// directory, with a token per role, whose every exchange is checked against
// the description.
type server struct {
	t      *testing.T
	doc    *openapi3.T
	routes *http.ServeMux // the description's path templates
	srv    *httptest.Server
	tokens map[string]string
	seen   map[string]bool // operation ids exercised
	app    *app.App
}

// Limits small enough to exceed in a test.
const (
	testMaxBody      = 64 << 10
	testMaxRecording = 100_000
)

func newServer(t *testing.T) *server {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	args := []string{"--data", t.TempDir() + "/data", "--insecure-http",
		"--max-body-bytes", fmt.Sprint(testMaxBody), "--max-recording-bytes", fmt.Sprint(testMaxRecording)}
	cfg, _, err := config.Load(fs, args, func(string) string { return "" })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	a, err := app.Open(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	s := &server{t: t, doc: loadSpec(t), routes: http.NewServeMux(), srv: srv, tokens: map[string]string{}, seen: map[string]bool{}, app: a}
	for route := range operations(s.doc) {
		s.routes.Handle(route, http.NotFoundHandler())
	}
	admin := identity.WithPrincipal(context.Background(), identity.Principal{ID: "test:setup", Kind: identity.KindSystem, Roles: []string{identity.RoleSecurityAdmin}})
	for _, role := range identity.Roles {
		secret, _, err := a.Tokens.Create(admin, "openapi-"+strings.ReplaceAll(role, "_", "-"), role)
		if err != nil {
			t.Fatalf("create token: %v", err)
		}
		s.tokens[role] = secret
	}
	return s
}

// reply is a response read whole.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// decode decodes the reply's JSON body into v.
func (r reply) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %d reply %q: %v", r.Status, r.Body, err)
	}
}

func (r reply) errCode() string {
	var b struct {
		Error struct{ Code string } `json:"error"`
	}
	json.Unmarshal(r.Body, &b)
	return b.Error.Code
}

// do sends a request as role ("" for none) and checks that the server
// answers want and that the response matches the description of the
// operation for its status. Requests expected to succeed must match the
// description too. body is sent as is if it is a string or []byte
// (application/json unless header says otherwise), else as JSON.
func (s *server) do(want int, role, method, target string, body any, header ...string) reply {
	t := s.t
	t.Helper()
	var data []byte
	switch b := body.(type) {
	case nil:
	case string:
		data = []byte(b)
	case []byte:
		data = b
	default:
		var err error
		if data, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
	}
	newRequest := func(url string) *http.Request {
		req := httptest.NewRequest(method, url, bytes.NewReader(data))
		req.RequestURI = ""
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		if role != "" {
			req.Header.Set("Authorization", "Bearer "+s.tokens[role])
		}
		return req
	}
	route, params := s.route(method, target)
	res, err := s.srv.Client().Do(newRequest(s.srv.URL + target))
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	got, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	r := reply{Status: res.StatusCode, Header: res.Header, Body: got}
	s.seen[route.Operation.OperationID] = true
	if r.Status != want {
		t.Errorf("%s %s as %q: status %d, want %d; body %.300s", method, target, role, r.Status, want, r.Body)
	}
	in := &openapi3filter.RequestValidationInput{Request: newRequest(target), PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, SchemaValidationOptions: formats}}
	if want < 300 {
		ct := in.Request.Header.Get("Content-Type")
		in.Options.ExcludeRequestBody = ct != "" && !strings.HasPrefix(ct, "application/json")
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			t.Errorf("%s %s: the request does not match the description: %v", method, target, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.Status, Header: r.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, SchemaValidationOptions: formats}}
	out.SetBodyBytes(r.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s %s: the %d response does not match the description: %v", method, target, r.Status, err)
	}
	return r
}

// route returns the described operation that serves method and target, and
// the target's path parameters.
func (s *server) route(method, target string) (*routers.Route, map[string]string) {
	s.t.Helper()
	_, pattern := s.routes.Handler(httptest.NewRequest(method, target, nil))
	_, template, ok := strings.Cut(pattern, " ")
	if !ok {
		s.t.Fatalf("%s %s is not described", method, target)
	}
	item := s.doc.Paths.Value(template)
	params := map[string]string{}
	path, _, _ := strings.Cut(target, "?")
	segments := strings.Split(path, "/")
	for i, seg := range strings.Split(template, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			params[strings.TrimSuffix(name, "}")] = segments[i]
		}
	}
	return &routers.Route{Spec: s.doc, Path: template, PathItem: item, Method: method, Operation: item.GetOperation(method)}, params
}

func sampleProfile() map[string]any {
	return map[string]any{
		"name":            "Jane Smith",
		"phones":          []string{"+1 415 555 0134"},
		"emails":          []string{"Jane.Smith@Example.com"},
		"address":         map[string]any{"lines": []string{"12 Oak Avenue"}, "city": "Springfield", "postal_code": "62701", "country": "us"},
		"date_of_birth":   "1984-07-28",
		"account_numbers": []string{"ACC12345678"},
		"attributes":      map[string]string{"tier": "gold"},
	}
}

func callInteraction(customerID string) map[string]any {
	return map[string]any{
		"customer_id": customerID, "channel": "call",
		"started_at": "2026-11-20T10:00:00Z", "ended_at": "2026-11-20T10:05:00Z", "queue": "billing", "agent": "agent-007",
		"transcript": map[string]any{"turns": []any{
			map[string]any{"speaker": "agent", "start": 0.0, "end": 2.0, "text": "Thanks for calling, how can I help?"},
			map[string]any{"speaker": "customer", "start": 2.5, "end": 4.0, "text": "I was double charged",
				"words": []any{map[string]any{"word": "double", "start": 3.0, "end": 3.4}}},
		}},
	}
}

const sampleEmail = "From: Jane Smith <jane@example.com>\r\nTo: support@acme.example\r\nCc: \"Ops\" <ops@acme.example>\r\n" +
	"Subject: Refund request\r\nDate: Fri, 20 Nov 2026 10:00:00 +0000\r\nMessage-ID: <abc@example.com>\r\n" +
	"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XYZ\r\n\r\n" +
	"--XYZ\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease refund order 1234.\r\n" +
	"--XYZ\r\nContent-Type: text/html\r\n\r\n<p>Please refund order 1234.</p>\r\n" +
	"--XYZ\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"receipt.pdf\"\r\n\r\n%PDF-1.4 receipt\r\n" +
	"--XYZ--\r\n"

const unknownID = "0194f1d2-8a43-7c2e-9b3a-2f6d1c0e5a77"

// TestOpenAPIAgainstServer drives every operation of a real node through
// success and failure and checks each exchange against the description.
func TestOpenAPIAgainstServer(t *testing.T) {
	const (
		integration = identity.RoleIntegration
		agent       = identity.RoleAgent
		supervisor  = identity.RoleSupervisor
		qa          = identity.RoleQAAnalyst
		privacy     = identity.RolePrivacyOfficer
		secAdmin    = identity.RoleSecurityAdmin
		auditor     = identity.RoleAuditor
		itSupport   = identity.RoleITSupport
	)
	s := newServer(t)

	// Operations.
	s.do(200, "", "GET", "/healthz", nil)
	s.do(200, "", "GET", "/readyz", nil)
	s.do(200, "", "GET", "/metrics", nil)
	if r := s.do(200, "", "GET", "/api/v1/openapi.json", nil); !bytes.Equal(r.Body, api.OpenAPI()) {
		t.Errorf("GET /api/v1/openapi.json does not serve the embedded description")
	}

	// Customers.
	var created struct{ ID string }
	r := s.do(201, integration, "POST", "/api/v1/customers", sampleProfile())
	r.decode(t, &created)
	cid := created.ID
	if loc := r.Header.Get("Location"); loc != "/api/v1/customers/"+cid {
		t.Errorf("Location = %q", loc)
	}
	customer := "/api/v1/customers/" + cid
	s.do(400, integration, "POST", "/api/v1/customers", `{"name": "A B", "phones": ["555"]}`)
	s.do(400, integration, "POST", "/api/v1/customers", `{"name": "A B", "ssn": "1"}`)
	s.do(400, integration, "POST", "/api/v1/customers", `{"name":`)
	s.do(413, integration, "POST", "/api/v1/customers", `{"name": "`+strings.Repeat("a", testMaxBody)+`"}`)
	s.do(415, integration, "POST", "/api/v1/customers", `{"name": "A B"}`, "Content-Type", "text/plain")
	s.do(403, qa, "POST", "/api/v1/customers", sampleProfile())
	s.do(401, "", "POST", "/api/v1/customers", sampleProfile())

	var found struct{ Items []struct{ ID string } }
	s.do(200, agent, "GET", "/api/v1/customers?phone=%2B14155550134", nil).decode(t, &found)
	if len(found.Items) != 1 || found.Items[0].ID != cid {
		t.Errorf("search found %+v", found.Items)
	}
	s.do(200, privacy, "GET", "/api/v1/customers?email=nobody%40example.com", nil)
	s.do(400, agent, "GET", "/api/v1/customers?name=Jane", nil)
	s.do(400, agent, "GET", "/api/v1/customers?phone=12", nil)
	s.do(403, auditor, "GET", "/api/v1/customers?phone=%2B14155550134", nil)

	s.do(200, qa, "GET", customer, nil)
	s.do(404, auditor, "GET", customer, nil)
	s.do(404, agent, "GET", "/api/v1/customers/"+unknownID, nil)
	s.do(401, "", "GET", customer, nil)

	s.do(200, agent, "PATCH", customer, map[string]any{"phones": []string{"+1 212 555 0188"}, "date_of_birth": nil})
	s.do(400, agent, "PATCH", customer, map[string]any{"ssn": "x"})
	s.do(400, agent, "PATCH", customer, map[string]any{})
	s.do(403, qa, "PATCH", customer, map[string]any{"name": "X Y"})
	s.do(404, auditor, "PATCH", customer, map[string]any{"name": "X Y"})

	reveal := customer + "/reveal"
	s.do(200, agent, "POST", reveal, map[string]any{"fields": []string{"name", "phones", "address"}, "reason": "caller verification"})
	s.do(200, privacy, "POST", reveal, map[string]any{"fields": records.Fields, "reason": "DSAR 42"})
	s.do(400, agent, "POST", reveal, map[string]any{"fields": []string{"phones"}})
	s.do(403, agent, "POST", reveal, map[string]any{"fields": []string{"account_numbers"}, "reason": "x"})
	s.do(404, auditor, "POST", reveal, map[string]any{"fields": []string{"name"}, "reason": "x"})

	// Interactions.
	create := func(in map[string]any) string {
		t.Helper()
		var c struct{ ID string }
		s.do(201, integration, "POST", "/api/v1/interactions", in).decode(t, &c)
		return c.ID
	}
	callID := create(callInteraction(cid))
	chatID := create(map[string]any{"customer_id": cid, "channel": "chat", "started_at": "2026-11-20T11:00:00Z",
		"messages": []any{map[string]any{"from": "customer", "at": "2026-11-20T11:00:01Z", "text": "hello"}}})
	create(map[string]any{"customer_id": cid, "channel": "sms", "started_at": "2026-11-20T11:30:00Z",
		"messages": []any{map[string]any{"from": "+14155550134", "at": "2026-11-20T11:30:00+01:00", "text": "call me"}}})
	emailID := create(map[string]any{"customer_id": cid, "channel": "email", "started_at": "2026-11-20T12:00:00Z", "email_raw": sampleEmail})
	s.do(422, integration, "POST", "/api/v1/interactions", callInteraction(unknownID))
	bad := callInteraction(cid)
	bad["messages"] = []any{map[string]any{"from": "a", "at": "2026-11-20T11:00:01Z", "text": "x"}}
	s.do(400, integration, "POST", "/api/v1/interactions", bad)
	s.do(403, qa, "POST", "/api/v1/interactions", callInteraction(cid))

	for _, id := range []string{callID, chatID, emailID} {
		s.do(200, qa, "GET", "/api/v1/interactions/"+id, nil)
	}
	s.do(404, integration, "GET", "/api/v1/interactions/"+callID, nil)
	s.do(404, agent, "GET", "/api/v1/interactions/"+unknownID, nil)

	var page struct{ Next string }
	s.do(200, agent, "GET", customer+"/interactions?limit=2", nil).decode(t, &page)
	if page.Next == "" {
		t.Errorf("first page of 2 out of 4 has no next cursor")
	}
	s.do(200, integration, "GET", customer+"/interactions?limit=2&after="+page.Next, nil)
	s.do(400, agent, "GET", customer+"/interactions?limit=0", nil)
	s.do(400, agent, "GET", customer+"/interactions?after=zzz", nil)
	s.do(404, itSupport, "GET", customer+"/interactions", nil)

	// Recordings.
	recording := "/api/v1/interactions/" + callID + "/recording"
	audio := bytes.Repeat([]byte("RIFF audio "), 8000)
	s.do(201, integration, "PUT", recording, audio, "Content-Type", "audio/wav")
	s.do(415, integration, "PUT", recording, audio, "Content-Type", "application/json")
	s.do(413, integration, "PUT", recording, make([]byte, testMaxRecording+1), "Content-Type", "audio/wav")
	s.do(403, agent, "PUT", recording, audio, "Content-Type", "audio/wav")
	s.do(404, integration, "PUT", "/api/v1/interactions/"+unknownID+"/recording", audio, "Content-Type", "audio/wav")
	s.do(200, agent, "GET", "/api/v1/interactions/"+callID, nil) // now with recording metadata

	full := s.do(200, qa, "GET", recording, nil)
	if !bytes.Equal(full.Body, audio) {
		t.Errorf("playback returned %d bytes, want the %d uploaded", len(full.Body), len(audio))
	}
	s.do(206, agent, "GET", recording, nil, "Range", "bytes=0-99")
	s.do(206, agent, "GET", recording, nil, "Range", "bytes=0-9,1000-1009")
	s.do(416, agent, "GET", recording, nil, "Range", fmt.Sprintf("bytes=%d-", len(audio)))
	s.do(304, agent, "GET", recording, nil, "If-Modified-Since", full.Header.Get("Last-Modified"))
	s.do(404, agent, "GET", "/api/v1/interactions/"+chatID+"/recording", nil)
	s.do(404, integration, "GET", recording, nil)
	exerciseOriginalRecording(t, s, callID)

	// Attachments.
	var email struct {
		Email struct{ Attachments []struct{ ID string } }
	}
	s.do(200, agent, "GET", "/api/v1/interactions/"+emailID, nil).decode(t, &email)
	if len(email.Email.Attachments) != 1 {
		t.Fatalf("email has %d attachments, want 1", len(email.Email.Attachments))
	}
	attachment := "/api/v1/interactions/" + emailID + "/attachments/" + email.Email.Attachments[0].ID
	s.do(200, supervisor, "GET", attachment, nil)
	s.do(206, agent, "GET", attachment, nil, "Range", "bytes=0-3")
	s.do(404, agent, "GET", "/api/v1/interactions/"+emailID+"/attachments/"+strings.Repeat("f", 32), nil)
	s.do(404, integration, "GET", attachment, nil)

	// Tokens.
	var tok struct{ ID string }
	s.do(201, secAdmin, "POST", "/api/v1/tokens", map[string]any{"name": "crm-sync", "role": integration}).decode(t, &tok)
	s.do(400, secAdmin, "POST", "/api/v1/tokens", map[string]any{"name": "crm-sync", "role": "root"})
	var limited struct{ Token string }
	s.do(201, secAdmin, "POST", "/api/v1/tokens", map[string]any{"name": "ivr", "role": integration,
		"networks": []string{"10.20.0.0/16", "2001:db8:20::/48"}}).decode(t, &limited)
	s.do(400, secAdmin, "POST", "/api/v1/tokens", map[string]any{"name": "ivr", "role": integration, "networks": []string{"10.20.0.1/16"}})
	s.tokens["limited"] = limited.Token // the test client connects from 127.0.0.1
	s.do(401, "limited", "GET", "/api/v1/tokens", nil)
	s.do(403, agent, "POST", "/api/v1/tokens", map[string]any{"name": "crm-sync", "role": integration})
	s.do(200, secAdmin, "GET", "/api/v1/tokens", nil)
	s.do(403, auditor, "GET", "/api/v1/tokens", nil)
	s.do(403, agent, "DELETE", "/api/v1/tokens/"+tok.ID, nil)
	s.do(204, secAdmin, "DELETE", "/api/v1/tokens/"+tok.ID, nil)
	s.do(404, secAdmin, "DELETE", "/api/v1/tokens/tok_0000000000000000", nil)

	// Erasure.
	s.do(403, agent, "DELETE", customer, nil)
	s.do(404, auditor, "DELETE", customer, nil)
	s.do(200, privacy, "DELETE", customer, nil)
	s.do(404, privacy, "DELETE", customer, nil)

	// Audit log.
	cp := s.do(200, auditor, "GET", "/api/v1/audit/checkpoint", nil)
	lines := strings.Split(string(cp.Body), "\n")
	size, err := strconv.Atoi(lines[1])
	if err != nil || size < 10 || !strings.HasPrefix(lines[0], "confide.local/audit/") {
		t.Fatalf("checkpoint %q", cp.Body)
	}
	s.do(403, agent, "GET", "/api/v1/audit/checkpoint", nil)
	s.do(401, "", "GET", "/api/v1/audit/checkpoint", nil)
	var entries struct{ Entries []struct{ Index int64 } }
	s.do(200, auditor, "GET", fmt.Sprintf("/api/v1/audit/entries?start=0&end=%d", size), nil).decode(t, &entries)
	if len(entries.Entries) != size {
		t.Errorf("entries: %d, want %d", len(entries.Entries), size)
	}
	s.do(400, auditor, "GET", "/api/v1/audit/entries?start=x", nil)
	s.do(400, auditor, "GET", fmt.Sprintf("/api/v1/audit/entries?start=%d", size), nil)
	s.do(403, secAdmin, "GET", "/api/v1/audit/entries?start=0", nil)
	var proof struct{ Hashes [][]byte }
	s.do(200, auditor, "GET", fmt.Sprintf("/api/v1/audit/proof/inclusion?index=3&size=%d", size), nil).decode(t, &proof)
	if len(proof.Hashes) == 0 {
		t.Error("empty inclusion proof in a tree of more than one leaf")
	}
	s.do(400, auditor, "GET", "/api/v1/audit/proof/inclusion?index=5", nil)
	s.do(400, auditor, "GET", fmt.Sprintf("/api/v1/audit/proof/inclusion?index=0&size=%d", size+1000), nil)
	s.do(403, privacy, "GET", "/api/v1/audit/proof/inclusion?index=0&size=1", nil)
	s.do(200, auditor, "GET", fmt.Sprintf("/api/v1/audit/proof/consistency?old=1&new=%d", size), nil)
	s.do(400, auditor, "GET", "/api/v1/audit/proof/consistency?old=0&new=1", nil)
	s.do(403, itSupport, "GET", "/api/v1/audit/proof/consistency?old=1&new=1", nil)
	var events struct {
		Items []struct {
			Index int64
			Event struct{ Action, Outcome string }
		}
		NextAfter *int64 `json:"next_after"`
	}
	s.do(200, auditor, "GET", "/api/v1/audit/events?actor=&outcome=denied&limit=2", nil).decode(t, &events)
	if len(events.Items) != 2 || events.NextAfter == nil || events.Items[0].Event.Outcome != "denied" {
		t.Errorf("first page of denied events: %+v", events)
	}
	s.do(200, auditor, "GET", fmt.Sprintf("/api/v1/audit/events?outcome=denied&after=%d&from=2000-01-01T00:00:00Z", *events.NextAfter), nil)
	s.do(400, auditor, "GET", "/api/v1/audit/events?from=yesterday", nil)
	s.do(400, auditor, "GET", "/api/v1/audit/events?limit=0", nil)
	s.do(400, auditor, "GET", "/api/v1/audit/events?colour=red", nil)
	s.do(403, supervisor, "GET", "/api/v1/audit/events", nil)

	exerciseAlerts(t, s)

	s.exerciseIdentity()
	s.exerciseElevation()
	s.exercisePasskeys()
	s.exerciseVerification()
	s.exerciseAuditRetention()

	for route, op := range operations(s.doc) {
		if !s.seen[op.OperationID] {
			t.Errorf("%s (%s) is never exercised; add it to this test", route, op.OperationID)
		}
	}
}

// exerciseAuditRetention archives the log so far, as the server would
// after the hot period: archived entries are 410, their proofs still
// served.
func (s *server) exerciseAuditRetention() {
	t := s.t
	ctx := t.Context()
	_, size, err := s.app.Audit.Integrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p := audit.Retention{Hot: s.app.Config.AuditHotPeriod, Keep: s.app.Config.AuditRetention}
	res, err := s.app.Audit.ApplyRetention(ctx, p, time.Now().Add(p.Hot+time.Hour))
	if err != nil || len(res.Archived) == 0 || res.Expired.End != 0 {
		t.Fatalf("ApplyRetention after the hot period: %+v, %v; want records archived, none expired", res, err)
	}
	s.do(410, identity.RoleAuditor, "GET", "/api/v1/audit/entries?start=0&end=2", nil)
	s.do(200, identity.RoleAuditor, "GET", fmt.Sprintf("/api/v1/audit/proof/inclusion?index=3&size=%d", size), nil)
}

// TestOpenAPIStrictBodiesAgainstServer sends every described JSON request
// body, with one unknown field added, to the server and expects it refused:
// the description's additionalProperties: false is what the server does.
func TestOpenAPIStrictBodiesAgainstServer(t *testing.T) {
	s := newServer(t)
	n := 0
	for route, op := range operations(s.doc) {
		if op.RequestBody == nil {
			continue
		}
		media := op.RequestBody.Value.Content.Get("application/json")
		if media == nil {
			continue
		}
		example, ok := media.Example.(map[string]any)
		if !ok {
			for _, ex := range media.Examples {
				example, ok = ex.Value.Value.(map[string]any)
				break
			}
		}
		if !ok {
			t.Errorf("%s: the JSON request body has no example", route)
			continue
		}
		example["unknown_field_x"] = true
		method, path, _ := strings.Cut(route, " ")
		roles := strs(op.Extensions["x-confide-roles"])
		if len(roles) == 0 {
			t.Errorf("%s: no x-confide-roles", route)
			continue
		}
		r := s.do(http.StatusBadRequest, roles[0], method, pathParam.ReplaceAllString(path, unknownID), example)
		if code := r.errCode(); code != "unknown_field" && code != "invalid_fields" {
			t.Errorf("%s with an unknown field: code %q, want unknown_field or invalid_fields", route, code)
		}
		n++
	}
	if n < 5 {
		t.Fatalf("only %d JSON request bodies found", n)
	}
}

package api

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/authz"
	"github.com/confide-cc/confide/internal/httpx"
	"github.com/confide-cc/confide/internal/store"
)

// WithAuditLog makes the API serve the audit-log routes over l.
func (a *API) WithAuditLog(l *audit.Log) *API {
	a.auditLog = l
	return a
}

// registerAudit adds the audit-log routes (auditor role). Every access is
// itself audited (audit.read, audit.search), after authorization and
// before the response.
func (a *API) registerAudit(handle func(string, func(http.ResponseWriter, *http.Request) error)) {
	handle("GET /api/v1/audit/checkpoint", a.auditCheckpoint)
	handle("GET /api/v1/audit/entries", a.auditEntries)
	handle("GET /api/v1/audit/proof/inclusion", a.auditInclusion)
	handle("GET /api/v1/audit/proof/consistency", a.auditConsistency)
	handle("GET /api/v1/audit/events", a.auditEvents)
}

// auditAccess authorizes action, lets read produce the answer and, if it
// succeeds, records the access before the answer is written.
func (a *API) auditAccess(r *http.Request, action authz.Action, what string, params url.Values, allowed []string, read func(url.Values) error) error {
	ctx := r.Context()
	if err := a.svc.Precheck(ctx, action, "audit"); err != nil {
		return err
	}
	if a.auditLog == nil {
		return apperr.New(apperr.Unavailable, "audit_unavailable", "the audit log is not served by this node")
	}
	for k := range params {
		if !slices.Contains(allowed, k) {
			return a.rejected(ctx, action, "audit", apperr.New(apperr.Invalid, "invalid_query", "unknown query parameter %q", truncate(k, 32)))
		}
	}
	if err := read(params); err != nil {
		ae := apperr.As(err)
		if ae.Kind == apperr.Internal || ae.Kind == apperr.Unavailable {
			return err
		}
		return a.rejected(ctx, action, "audit", err)
	}
	ev := audit.NewEvent(ctx, string(action), "audit", audit.Success)
	ev.Details = map[string]any{"what": what}
	for k, v := range params {
		ev.Details[k] = truncate(v[0], 64)
	}
	if err := a.auditLog.Record(ctx, ev); err != nil {
		return apperr.Wrap(err, "audit log unavailable")
	}
	return nil
}

// auditCheckpoint serves the latest signed checkpoint, first integrating
// the records appended since the last one (the caller's own access
// included), as text/plain.
func (a *API) auditCheckpoint(w http.ResponseWriter, r *http.Request) error {
	var msg []byte
	err := a.auditAccess(r, authz.AuditRead, "checkpoint", r.URL.Query(), nil, func(url.Values) error { return nil })
	if err != nil {
		return err
	}
	msg, _, err = a.auditLog.Integrate(r.Context())
	if err == nil && msg == nil { // another node signed this size first
		msg, _, err = a.auditLog.Latest(r.Context())
	}
	if errors.Is(err, audit.ErrTampered) {
		return auditErr(err)
	}
	if err != nil {
		return apperr.Wrap(err, "audit checkpoint unavailable")
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(msg)
	return nil
}

type entryView struct {
	Index int64  `json:"index"`
	Data  []byte `json:"data"` // standard base64 in JSON
}

func (a *API) auditEntries(w http.ResponseWriter, r *http.Request) error {
	var out []entryView
	err := a.auditAccess(r, authz.AuditRead, "entries", r.URL.Query(), []string{"start", "end"}, func(q url.Values) error {
		start, end, err := parseEntriesQuery(q)
		if err != nil {
			return err
		}
		es, err := a.auditLog.Entries(r.Context(), start, end)
		if err != nil {
			return auditErr(err)
		}
		out = make([]entryView, len(es))
		for i, e := range es {
			out[i] = entryView{Index: e.Index, Data: e.Data}
		}
		return nil
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"entries": out})
	return nil
}

type proofView struct {
	Hashes [][]byte `json:"hashes"` // standard base64 in JSON
}

func (a *API) auditInclusion(w http.ResponseWriter, r *http.Request) error {
	var p [][]byte
	err := a.auditAccess(r, authz.AuditRead, "inclusion_proof", r.URL.Query(), []string{"index", "size"}, func(q url.Values) error {
		index, size, err := parsePair(q, "index", "size")
		if err != nil {
			return err
		}
		p, err = a.auditLog.InclusionProof(r.Context(), index, size)
		return auditErr(err)
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, proofView{Hashes: nonNil(p)})
	return nil
}

func (a *API) auditConsistency(w http.ResponseWriter, r *http.Request) error {
	var p [][]byte
	err := a.auditAccess(r, authz.AuditRead, "consistency_proof", r.URL.Query(), []string{"old", "new"}, func(q url.Values) error {
		old, new, err := parsePair(q, "old", "new")
		if err != nil {
			return err
		}
		p, err = a.auditLog.ConsistencyProof(r.Context(), old, new)
		return auditErr(err)
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, proofView{Hashes: nonNil(p)})
	return nil
}

type eventView struct {
	Index int64           `json:"index"`
	Event json.RawMessage `json:"event"`
}

func (a *API) auditEvents(w http.ResponseWriter, r *http.Request) error {
	var out []eventView
	var next *int64
	allowed := []string{"actor", "action", "resource", "outcome", "from", "to", "after", "limit"}
	err := a.auditAccess(r, authz.AuditSearch, "events", r.URL.Query(), allowed, func(q url.Values) error {
		sq, err := parseSearchQuery(q)
		if err != nil {
			return err
		}
		es, err := a.auditLog.Search(r.Context(), sq)
		if err != nil {
			return err
		}
		out = make([]eventView, len(es))
		for i, e := range es {
			out[i] = eventView{Index: e.Index, Event: e.Data}
		}
		if len(es) == sq.Limit {
			last := es[len(es)-1].Index
			next = &last
		}
		return nil
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": out, "next_after": next})
	return nil
}

// auditErr maps the audit log's argument errors to 400, entries that
// retention moved out of the database to 410, and a log found tampered
// with to 503.
func auditErr(err error) error {
	switch {
	case errors.Is(err, audit.ErrTampered):
		return apperr.New(apperr.Unavailable, "audit_tampered", "the stored audit log does not match its signed checkpoints; see the server log").WithCause(err)
	case errors.Is(err, audit.ErrOutOfRange):
		return apperr.New(apperr.Invalid, "out_of_range", "index or tree size out of range of the checkpointed tree")
	case errors.Is(err, audit.ErrArchived):
		return apperr.New(apperr.Gone, "archived", "these entries are archived or expired under the audit retention policy; confide audit export includes the archived ones").WithCause(err)
	}
	return err
}

func nonNil(p [][]byte) [][]byte {
	if p == nil {
		return [][]byte{}
	}
	return p
}

// parseEntriesQuery parses start (required) and end (default start+1).
func parseEntriesQuery(q url.Values) (start, end int64, err error) {
	if start, err = parseIndex(q, "start", -1); err != nil {
		return 0, 0, err
	}
	if end, err = parseIndex(q, "end", start+1); err != nil {
		return 0, 0, err
	}
	if end <= start {
		return 0, 0, apperr.New(apperr.Invalid, "invalid_query", "end: must be greater than start")
	}
	return start, end, nil
}

// parsePair parses two required non-negative integers.
func parsePair(q url.Values, a, b string) (int64, int64, error) {
	x, err := parseIndex(q, a, -1)
	if err != nil {
		return 0, 0, err
	}
	y, err := parseIndex(q, b, -1)
	return x, y, err
}

// parseIndex parses the non-negative decimal integer parameter name; if
// it is absent it returns def, or an error if def is negative.
func parseIndex(q url.Values, name string, def int64) (int64, error) {
	vs, ok := q[name]
	if !ok {
		if def < 0 {
			return 0, apperr.New(apperr.Invalid, "invalid_query", "%s: required", name)
		}
		return def, nil
	}
	if len(vs) != 1 {
		return 0, apperr.New(apperr.Invalid, "invalid_query", "%s: given more than once", name)
	}
	n, err := strconv.ParseInt(vs[0], 10, 64)
	if err != nil || n < 0 || (len(vs[0]) > 1 && vs[0][0] == '0') || vs[0][0] == '+' {
		return 0, apperr.New(apperr.Invalid, "invalid_query", "%s: must be a non-negative decimal integer", name)
	}
	return n, nil
}

// defaultSearchLimit is the page size of an event search without limit.
const defaultSearchLimit = 100

// parseSearchQuery parses an event search: exact filters, an RFC 3339
// time range [from, to), the index to continue after and a page size.
func parseSearchQuery(q url.Values) (store.AuditQuery, error) {
	sq := store.AuditQuery{
		Actor: q.Get("actor"), Action: q.Get("action"), Resource: q.Get("resource"), Outcome: q.Get("outcome"),
		AfterSeq: 0, Limit: defaultSearchLimit,
	}
	for _, k := range []string{"actor", "action", "resource", "outcome", "from", "to"} {
		if len(q[k]) > 1 {
			return store.AuditQuery{}, apperr.New(apperr.Invalid, "invalid_query", "%s: given more than once", k)
		}
		if len(q.Get(k)) > 256 {
			return store.AuditQuery{}, apperr.New(apperr.Invalid, "invalid_query", "%s: longer than 256 bytes", k)
		}
	}
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"from", &sq.From}, {"to", &sq.To}} {
		if s := q.Get(t.name); s != "" {
			v, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return store.AuditQuery{}, apperr.New(apperr.Invalid, "invalid_time", "%s: must be RFC 3339 (e.g. 2026-01-02T15:04:05Z)", t.name)
			}
			*t.dst = v
		}
	}
	if _, ok := q["after"]; ok {
		after, err := parseIndex(q, "after", 0)
		if err != nil {
			return store.AuditQuery{}, err
		}
		sq.AfterSeq = min(after, math.MaxInt64-1) + 1 // entries after index `after` have seq > after+1
	}
	if _, ok := q["limit"]; ok {
		n, err := parseIndex(q, "limit", 0)
		if err != nil || n < 1 || n > audit.MaxSearch {
			return store.AuditQuery{}, apperr.New(apperr.Invalid, "invalid_limit", "limit: must be an integer from 1 to %d", audit.MaxSearch)
		}
		sq.Limit = int(n)
	}
	return sq, nil
}

package api

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/authz"
	"github.com/confide-cc/confide/internal/httpx"
	"github.com/confide-cc/confide/internal/monitor"
	"github.com/confide-cc/confide/internal/store"
)

// WithMonitor makes the API serve the alert and honey routes over m.
func (a *API) WithMonitor(m *monitor.Service) *API {
	a.monitor = m
	return a
}

// registerAlerts adds the detection routes (security admins): alerts are
// listed and acknowledged, honey customers created. The monitor service
// authorizes and audits every call.
func (a *API) registerAlerts(handle func(string, func(http.ResponseWriter, *http.Request) error)) {
	handle("GET /api/v1/alerts", a.listAlerts)
	handle("POST /api/v1/alerts/{id}/ack", a.ackAlert)
	handle("POST /api/v1/honey-customers", a.createHoney)
}

func (a *API) monitorService() (*monitor.Service, error) {
	if a.monitor == nil {
		return nil, apperr.New(apperr.Unavailable, "monitor_unavailable", "detection is not served by this node")
	}
	return a.monitor, nil
}

var alertParams = []string{"status", "rule", "severity", "actor", "before", "limit"}

func (a *API) listAlerts(w http.ResponseWriter, r *http.Request) error {
	m, err := a.monitorService()
	if err != nil {
		return err
	}
	if err := m.Precheck(r.Context(), authz.AlertList, "alert"); err != nil {
		return err
	}
	p := r.URL.Query()
	q := store.AlertQuery{Status: p.Get("status"), Rule: p.Get("rule"), Severity: p.Get("severity"),
		ActorID: p.Get("actor"), BeforeID: p.Get("before")}
	for k, vs := range p {
		if !slices.Contains(alertParams, k) || len(vs) != 1 {
			return m.Reject(r.Context(), authz.AlertList, "alert",
				apperr.New(apperr.Invalid, "invalid_query", "query parameter %q: unknown or repeated", truncate(k, 32)))
		}
	}
	if s := p.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return m.Reject(r.Context(), authz.AlertList, "alert",
				apperr.New(apperr.Invalid, "invalid_limit", "limit: must be 1 to %d", monitor.MaxPage))
		}
		q.Limit = n
	}
	if q.Limit == 0 {
		q.Limit = monitor.DefaultPage
	}
	alerts, err := m.List(r.Context(), q)
	if err != nil {
		return err
	}
	items := make([]monitor.AlertView, len(alerts))
	for i, al := range alerts {
		items[i] = monitor.View(al)
	}
	resp := map[string]any{"items": items}
	if len(alerts) > 0 && len(alerts) == q.Limit {
		resp["next_before"] = alerts[len(alerts)-1].ID
	}
	httpx.WriteJSON(w, http.StatusOK, resp)
	return nil
}

type ackRequest struct {
	Reason string `json:"reason"`
}

func (a *API) ackAlert(w http.ResponseWriter, r *http.Request) error {
	m, err := a.monitorService()
	if err != nil {
		return err
	}
	var req ackRequest
	if err := decodeJSON(w, r, a.maxBody, &req); err != nil {
		return a.rejected(r.Context(), authz.AlertAck, "alert/"+r.PathValue("id"), err)
	}
	al, err := m.Ack(r.Context(), r.PathValue("id"), req.Reason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, monitor.View(al))
	return nil
}

func (a *API) createHoney(w http.ResponseWriter, r *http.Request) error {
	m, err := a.monitorService()
	if err != nil {
		return err
	}
	id, err := m.CreateHoney(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, idResponse{ID: id})
	return nil
}

package monitor

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/store"
)

// SystemActorID is the actor of the events the monitor itself writes
// (alert.raised, containment.lock). The Detector ignores them.
const SystemActorID = "system:monitor"

// Event is an audit event as the detectors see it: the stored event plus
// its index in the log.
type Event struct {
	Seq int64 // audit index (1-based record sequence number)
	audit.Event
}

// ParseEvent decodes a stored audit record.
func ParseEvent(r store.AuditRecord) (Event, error) {
	var e audit.Event
	if err := json.Unmarshal(r.Body, &e); err != nil {
		return Event{}, fmt.Errorf("monitor: audit record %d: %w", r.Seq, err)
	}
	if e.Time.IsZero() {
		e.Time = r.Time
	}
	return Event{Seq: r.Seq, Event: e}, nil
}

// customers calls fn with the id of every customer whose data ev touched:
// the customer resource, the customer_id of interaction-level events and
// the customer_ids a search returned.
func (ev *Event) customers(fn func(id string)) {
	if id, ok := strings.CutPrefix(ev.Resource, "customer/"); ok && id != "" {
		fn(id)
	}
	if id, ok := ev.Details["customer_id"].(string); ok && id != "" {
		fn(id)
	}
	switch ids := ev.Details["customer_ids"].(type) {
	case []any:
		for _, v := range ids {
			if id, ok := v.(string); ok && id != "" {
				fn(id)
			}
		}
	case []string:
		for _, id := range ids {
			fn(id)
		}
	}
}

// dataActions are the actions that read customer data.
var dataActions = map[string]bool{
	"customer.read": true, "customer.search": true, "customer.reveal": true,
	"interaction.read": true, "interaction.list": true,
	"recording.play": true, "attachment.download": true,
}

// readsCustomerData reports whether ev is a successful read of customer data.
func (ev *Event) readsCustomerData() bool {
	return ev.Outcome == audit.Success && dataActions[ev.Action]
}

// micros is t as microseconds since the Unix epoch: the detectors' clock.
func micros(t time.Time) int64 { return t.UnixMicro() }

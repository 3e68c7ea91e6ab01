package monitor

import (
	"time"

	"github.com/confide-cc/confide/internal/store"
)

// Alert statuses.
const (
	StatusOpen         = "open"
	StatusAcknowledged = "acknowledged"
)

// AlertView is an alert as the API and the webhook present it.
type AlertView struct {
	ID        string     `json:"id"`
	Rule      string     `json:"rule"`
	Severity  string     `json:"severity"`
	ActorID   string     `json:"actor_id,omitempty"`
	SourceIP  string     `json:"source_ip,omitempty"`
	Summary   string     `json:"summary"`
	Evidence  []int64    `json:"evidence"` // audit indexes (record seq)
	Status    string     `json:"status"`
	Contained bool       `json:"contained"`
	CreatedAt time.Time  `json:"created_at"`
	AckedAt   *time.Time `json:"acknowledged_at,omitempty"`
	AckedBy   string     `json:"acknowledged_by,omitempty"`
	AckReason string     `json:"ack_reason,omitempty"`
}

// View presents a stored alert.
func View(a store.Alert) AlertView {
	v := AlertView{ID: a.ID, Rule: a.Rule, Severity: a.Severity, ActorID: a.ActorID, SourceIP: a.SourceIP,
		Summary: a.Summary, Evidence: a.Evidence, Status: a.Status, Contained: a.Contained, CreatedAt: a.CreatedAt,
		AckedBy: a.AckedBy, AckReason: a.AckReason}
	if v.Evidence == nil {
		v.Evidence = []int64{}
	}
	if !a.AckedAt.IsZero() {
		t := a.AckedAt
		v.AckedAt = &t
	}
	return v
}

func nowUTC() time.Time { return time.Now().UTC() }

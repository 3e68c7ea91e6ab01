package monitor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Mailer sends one plain-text message (notify.SMTP implements it).
type Mailer interface {
	Send(ctx context.Context, to, message string) error
}

// Email delivers alerts by mail to security staff, at least once, through
// the same persistent queue as the webhook (retried with the same backoff).
// The message holds what an alert holds — rule, severity, summary, actor id,
// source address, evidence indexes — and no customer data.
type Email struct {
	Mailer      Mailer
	To          []string
	MaxAttempts int // default 12
}

// emailSuffix marks an email delivery in the delivery queue, whose key is
// the alert id for the webhook.
const emailSuffix = "@email"

func (m *Email) name() string              { return "email" }
func (m *Email) key(alertID string) string { return alertID + emailSuffix }
func (m *Email) maxAttempts() int {
	if m.MaxAttempts > 0 {
		return m.MaxAttempts
	}
	return 12
}

// deliver mails v to every recipient; it fails if any recipient failed
// (all are retried: a recipient may get an alert twice, never not at all).
func (m *Email) deliver(ctx context.Context, v AlertView) error {
	msg := AlertText(v)
	var errs []error
	for _, to := range m.To {
		if err := m.Mailer.Send(ctx, to, msg); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// AlertText is the plain-text form of an alert, for mail.
func AlertText(v AlertView) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Confide raised a %s security alert.\n\n", v.Severity)
	fmt.Fprintf(&b, "Rule:      %s\n", v.Rule)
	fmt.Fprintf(&b, "Summary:   %s\n", v.Summary)
	if v.ActorID != "" {
		fmt.Fprintf(&b, "Actor:     %s\n", v.ActorID)
	}
	if v.SourceIP != "" {
		fmt.Fprintf(&b, "Source:    %s\n", v.SourceIP)
	}
	fmt.Fprintf(&b, "Raised:    %s\n", v.CreatedAt.UTC().Format(time.RFC3339))
	if v.Contained {
		b.WriteString("Contained: yes (the actor was locked)\n")
	}
	ev := make([]string, 0, len(v.Evidence))
	for i, s := range v.Evidence {
		if i == 20 {
			ev = append(ev, fmt.Sprintf("… (%d in all)", len(v.Evidence)))
			break
		}
		ev = append(ev, fmt.Sprint(s))
	}
	fmt.Fprintf(&b, "Evidence:  audit log indexes %s\n", strings.Join(ev, ", "))
	fmt.Fprintf(&b, "Alert id:  %s\n\n", v.ID)
	fmt.Fprintf(&b, "Review it with GET /api/v1/alerts?rule=%s and acknowledge it with POST /api/v1/alerts/%s/ack.\n", v.Rule, v.ID)
	return b.String()
}

// channel is one way alerts leave the node.
type channel interface {
	name() string
	key(alertID string) string
	maxAttempts() int
	deliver(ctx context.Context, v AlertView) error
}

// channels returns the configured delivery channels.
func (e *Engine) channels() []channel {
	var out []channel
	if e.opt.Webhook != nil {
		out = append(out, e.opt.Webhook)
	}
	if e.opt.Email != nil && len(e.opt.Email.To) > 0 {
		out = append(out, e.opt.Email)
	}
	return out
}

// channelOf returns the channel and alert id of a delivery key, or a nil
// channel if that channel is not configured (any more).
func (e *Engine) channelOf(key string) (channel, string) {
	if id, ok := strings.CutSuffix(key, emailSuffix); ok {
		if e.opt.Email != nil && len(e.opt.Email.To) > 0 {
			return e.opt.Email, id
		}
		return nil, id
	}
	if e.opt.Webhook != nil {
		return e.opt.Webhook, key
	}
	return nil, key
}

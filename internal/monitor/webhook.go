package monitor

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/confide-cc/confide/internal/store"
)

// Webhook delivers alerts by HTTP POST of their JSON (AlertView), at least
// once: deliveries are queued in the store with the alert and retried with
// exponential backoff (1s, 2s, 4s … capped at 10 minutes) until the
// receiver answers 2xx or MaxAttempts is reached. With a Secret, the
// header X-Confide-Signature carries "sha256=" and the hex HMAC-SHA256 of
// the body, so the receiver can authenticate it.
type Webhook struct {
	URL         string
	Secret      []byte
	Client      *http.Client // default: 10s timeout
	MaxAttempts int          // default 12
}

// SignatureHeader is the header carrying the body's HMAC.
const SignatureHeader = "X-Confide-Signature"

func (w *Webhook) name() string { return "webhook" }

// key is the webhook's delivery key: the bare alert id (as before other
// channels existed).
func (w *Webhook) key(alertID string) string { return alertID }

func (w *Webhook) deliver(ctx context.Context, v AlertView) error { return w.post(ctx, v) }

// post sends one alert.
func (w *Webhook) post(ctx context.Context, v AlertView) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "confide-monitor")
	if len(w.Secret) > 0 {
		m := hmac.New(sha256.New, w.Secret)
		m.Write(body)
		req.Header.Set(SignatureHeader, "sha256="+hex.EncodeToString(m.Sum(nil)))
	}
	c := w.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}

func (w *Webhook) maxAttempts() int {
	if w.MaxAttempts > 0 {
		return w.MaxAttempts
	}
	return 12
}

// backoff is the wait after the given number of failed attempts.
func backoff(attempts int) time.Duration {
	return min(time.Second<<min(attempts-1, 20), 10*time.Minute)
}

// deliverLoop delivers due alerts while this node is the leader.
func (e *Engine) deliverLoop(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-e.wake:
		}
		if e.leader.Load() {
			e.deliverDue(ctx)
		}
	}
}

// deliverDue attempts every due delivery once.
func (e *Engine) deliverDue(ctx context.Context) {
	var due []store.AlertDelivery
	err := e.st.View(ctx, func(tx store.Tx) error {
		var err error
		due, err = tx.DueAlertDeliveries(ctx, time.Now(), 50)
		return err
	})
	if err != nil {
		e.log.Warn("monitor: reading the delivery queue failed", "err", err)
		return
	}
	for _, d := range due {
		ch, alertID := e.channelOf(d.AlertID)
		var a store.Alert
		if ch != nil {
			err = e.st.View(ctx, func(tx store.Tx) error {
				var err error
				a, err = tx.GetAlert(ctx, alertID)
				return err
			})
			if err == nil {
				err = ch.deliver(ctx, View(a))
			}
		}
		attempts := d.Attempts + 1
		giveUp := ch == nil || attempts >= ch.maxAttempts()
		err2 := e.st.Update(ctx, func(tx store.Tx) error {
			if err == nil || giveUp {
				return tx.CompleteAlertDelivery(ctx, d.AlertID)
			}
			return tx.RescheduleAlertDelivery(ctx, d.AlertID, attempts, time.Now().Add(backoff(attempts)))
		})
		switch {
		case ch == nil:
			e.log.Warn("monitor: dropped a queued delivery to a channel no longer configured", "delivery", d.AlertID)
		case err != nil && giveUp:
			e.log.Error("monitor: alert delivery abandoned", "channel", ch.name(), "alert", alertID, "attempts", attempts, "err", err)
		case err != nil:
			e.log.Warn("monitor: alert delivery failed; will retry", "channel", ch.name(), "alert", alertID, "attempts", attempts, "err", err)
		}
		if err2 != nil {
			e.log.Warn("monitor: updating the delivery queue failed", "err", err2)
		}
	}
}

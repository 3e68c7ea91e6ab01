package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// SMSWebhook sends text messages through an SMS gateway that accepts
// POST {"to": "+14155550134", "message": "..."} as JSON and answers 2xx once
// it has accepted the message.
type SMSWebhook struct {
	URL     string        // https:// endpoint (http:// only to loopback; config validates)
	Secret  string        // sent as "Authorization: Bearer <Secret>" when set
	Timeout time.Duration // whole request; default 10s
	// Client is the HTTP client (default: one that follows no redirects,
	// so the secret never goes elsewhere).
	Client *http.Client
}

type smsBody struct {
	To      string `json:"to"`
	Message string `json:"message"`
}

// Send implements Sender.
func (w *SMSWebhook) Send(ctx context.Context, to, message string) error {
	timeout := w.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body, err := json.Marshal(smsBody{To: to, Message: message})
	if err != nil {
		return &Error{Channel: "sms", Stage: "encode"}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return &Error{Channel: "sms", Stage: "request", Detail: "invalid gateway URL"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "confide-verification")
	if w.Secret != "" {
		req.Header.Set("Authorization", "Bearer "+w.Secret)
	}
	client := w.Client
	if client == nil {
		client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	res, err := client.Do(req)
	if err != nil {
		return &Error{Channel: "sms", Stage: "connect", Detail: safeDetail(err)}
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return &Error{Channel: "sms", Stage: "status", Detail: fmt.Sprintf("HTTP %d", res.StatusCode)}
	}
	return nil
}

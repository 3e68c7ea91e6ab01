package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/identity"
)

func callInteraction(customerID string) map[string]any {
	return map[string]any{
		"customer_id": customerID, "channel": "call",
		"started_at": "2026-11-20T10:00:00Z", "ended_at": "2026-11-20T10:05:00Z",
		"queue": "billing", "agent": "agent-007",
		"transcript": map[string]any{"turns": []any{
			map[string]any{"speaker": "agent", "start": 0.0, "end": 2.0, "text": "Thanks for calling, how can I help?"},
			map[string]any{"speaker": "customer", "start": 2.5, "end": 5.0, "text": "I was double charged",
				"words": []any{
					map[string]any{"word": "I", "start": 2.5, "end": 2.6},
					map[string]any{"word": "was", "start": 2.6, "end": 2.9},
					map[string]any{"word": "double", "start": 3.0, "end": 3.4},
					map[string]any{"word": "charged", "start": 3.5, "end": 4.0},
				}},
		}},
	}
}

const sampleEmail = "From: Jane Smith <jane@example.com>\r\n" +
	"To: support@acme.example\r\n" +
	"Subject: =?UTF-8?Q?Refund_request_=E2=9C=93?=\r\n" +
	"Date: Fri, 20 Nov 2026 10:00:00 +0000\r\n" +
	"Message-ID: <abc@example.com>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=XYZ\r\n\r\n" +
	"--XYZ\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease refund order 1234.\r\n" +
	"--XYZ\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"receipt.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
	"JVBERi0xLjQKJcfsj6IKUkVDRUlQVA==\r\n" +
	"--XYZ--\r\n"

func TestInteractionsByChannel(t *testing.T) {
	e := newEnv(t)
	cid := e.createCustomer(sampleCustomer())

	callID := e.createInteraction(callInteraction(cid))
	var call struct {
		ID, CustomerID, Channel, Queue, Agent string
		Transcript                            struct {
			Turns []struct {
				Speaker, Text string
				Words         []struct{ Word string }
			}
		}
	}
	e.must(e.do(identity.RoleAgent, "GET", "/api/v1/interactions/"+callID, nil), 200).json(t, &call)
	if call.Channel != "call" || call.Queue != "billing" || len(call.Transcript.Turns) != 2 || call.Transcript.Turns[1].Words[2].Word != "double" {
		t.Errorf("call = %+v", call)
	}

	chatID := e.createInteraction(map[string]any{"customer_id": cid, "channel": "chat", "started_at": "2026-11-20T11:00:00Z",
		"messages": []any{map[string]any{"from": "customer", "at": "2026-11-20T11:00:01Z", "text": "hello"},
			map[string]any{"from": "agent", "at": "2026-11-20T11:00:05Z", "text": "hi, how can I help"}}})
	var chat struct{ Messages []struct{ From, Text string } }
	e.must(e.do(identity.RoleSupervisor, "GET", "/api/v1/interactions/"+chatID, nil), 200).json(t, &chat)
	if len(chat.Messages) != 2 || chat.Messages[1].Text != "hi, how can I help" {
		t.Errorf("chat = %+v", chat)
	}

	emailID := e.createInteraction(map[string]any{"customer_id": cid, "channel": "email", "started_at": "2026-11-20T12:00:00Z", "email_raw": sampleEmail})
	var em struct {
		Email struct {
			Subject     string `json:"subject"`
			TextBody    string `json:"text_body"`
			From        []struct{ Name, Address string }
			Attachments []struct {
				ID          string
				FileName    string `json:"file_name"`
				ContentType string `json:"content_type"`
				Size        int64
			}
		}
	}
	e.must(e.do(identity.RoleQAAnalyst, "GET", "/api/v1/interactions/"+emailID, nil), 200).json(t, &em)
	if em.Email.Subject != "Refund request ✓" || !strings.Contains(em.Email.TextBody, "order 1234") || len(em.Email.Attachments) != 1 {
		t.Fatalf("email = %+v", em)
	}
	att := em.Email.Attachments[0]
	if att.FileName != "receipt.pdf" || att.Size != int64(len("%PDF-1.4\n%\xc7\xec\x8f\xa2\nRECEIPT")) {
		t.Errorf("attachment = %+v", att)
	}
	r := e.must(e.do(identity.RoleAgent, "GET", "/api/v1/interactions/"+emailID+"/attachments/"+att.ID, nil), 200)
	if string(r.Body) != "%PDF-1.4\n%\xc7\xec\x8f\xa2\nRECEIPT" || r.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("attachment body %q type %q", r.Body, r.Header.Get("Content-Type"))
	}
	e.must(e.do(identity.RoleAgent, "GET", "/api/v1/interactions/"+emailID+"/attachments/ffff", nil), 404)
	if ev := e.lastAudit(); ev.Action != "attachment.download" || ev.Outcome != "not_found" {
		t.Errorf("audit = %+v", ev)
	}
}

func (e *env) createInteraction(in map[string]any) string {
	e.t.Helper()
	r := e.must(e.do(identity.RoleIntegration, "POST", "/api/v1/interactions", in), http.StatusCreated)
	var out struct{ ID string }
	r.json(e.t, &out)
	return out.ID
}

func TestInteractionValidation(t *testing.T) {
	e := newEnv(t)
	cid := e.createCustomer(sampleCustomer())
	with := func(k string, v any) map[string]any {
		in := callInteraction(cid)
		if v == nil {
			delete(in, k)
		} else {
			in[k] = v
		}
		return in
	}
	tests := []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"unknown customer", with("customer_id", "0194f1d2-8a43-7c2e-9b3a-2f6d1c0e5a77"), 422, "unknown_customer"},
		{"garbage customer id", with("customer_id", "../../etc"), 422, "unknown_customer"},
		{"bad channel", with("channel", "fax"), 400, "invalid_channel"},
		{"missing started_at", with("started_at", nil), 400, "invalid_time"},
		{"bad time", with("started_at", "yesterday"), 400, "invalid_time"},
		{"ended before started", with("ended_at", "2026-11-19T00:00:00Z"), 400, "invalid_time"},
		{"call without transcript", with("transcript", nil), 400, "invalid_content"},
		{"call with messages", with("messages", []any{map[string]any{"from": "a", "at": "2026-11-20T11:00:01Z", "text": "x"}}), 400, "invalid_content"},
		{"transcript bad speaker", with("transcript", map[string]any{"turns": []any{map[string]any{"speaker": "robot", "start": 0, "end": 1, "text": "x"}}}), 400, "invalid_content"},
		{"transcript end before start", with("transcript", map[string]any{"turns": []any{map[string]any{"speaker": "agent", "start": 5, "end": 1, "text": "x"}}}), 400, "invalid_content"},
		{"transcript unknown field", with("transcript", map[string]any{"turns": []any{}, "x": 1}), 400, "invalid_content"},
		{"email garbage", map[string]any{"customer_id": cid, "channel": "email", "started_at": "2026-11-20T12:00:00Z", "email_raw": "no headers here"}, 400, "invalid_content"},
		{"chat without messages", map[string]any{"customer_id": cid, "channel": "chat", "started_at": "2026-11-20T12:00:00Z"}, 400, "invalid_content"},
		{"agent label control chars", with("agent", "a\nb"), 400, "invalid_label"},
		{"truncated json", `{"customer_id": "` + cid + `", "channel": "ca`, 400, "malformed_json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(identity.RoleIntegration, "POST", "/api/v1/interactions", tc.body)
			if r.Status != tc.status || r.errCode() != tc.code {
				t.Fatalf("got %d %q, want %d %q: %s", r.Status, r.errCode(), tc.status, tc.code, r.Body)
			}
		})
	}
	var page struct{ Items []any }
	e.must(e.do(identity.RoleAgent, "GET", "/api/v1/customers/"+cid+"/interactions", nil), 200).json(t, &page)
	if len(page.Items) != 0 {
		t.Errorf("rejected interactions were stored: %d", len(page.Items))
	}
}

func TestListInteractionsPaginates(t *testing.T) {
	e := newEnv(t)
	cid := e.createCustomer(sampleCustomer())
	other := e.createCustomer(sampleCustomer())
	var ids []string
	for i := 0; i < 7; i++ {
		ids = append(ids, e.createInteraction(callInteraction(cid)))
	}
	e.createInteraction(callInteraction(other))
	var got []string
	next := ""
	pages := 0
	for {
		var page struct {
			Items []struct{ ID string }
			Next  string
		}
		path := fmt.Sprintf("/api/v1/customers/%s/interactions?limit=3", cid)
		if next != "" {
			path += "&after=" + next
		}
		e.must(e.do(identity.RoleAgent, "GET", path, nil), 200).json(t, &page)
		for _, it := range page.Items {
			got = append(got, it.ID)
		}
		pages++
		if page.Next == "" {
			break
		}
		next = page.Next
	}
	if strings.Join(got, ",") != strings.Join(ids, ",") || pages != 3 {
		t.Errorf("pages=%d got %v want %v", pages, got, ids)
	}
	for _, q := range []string{"limit=0", "limit=1000", "limit=x", "after=zzz"} {
		e.must(e.do(identity.RoleAgent, "GET", "/api/v1/customers/"+cid+"/interactions?"+q, nil), 400)
	}
	e.must(e.do(identity.RoleAgent, "GET", "/api/v1/customers/0194f1d2-8a43-7c2e-9b3a-2f6d1c0e5a77/interactions", nil), 404)
	e.must(e.do(identity.RoleITSupport, "GET", "/api/v1/customers/"+cid+"/interactions", nil), 404)
}

func TestJSONErrorShape(t *testing.T) {
	e := newEnv(t)
	r := e.do(identity.RoleIntegration, "POST", "/api/v1/customers", `{"name":`)
	var body struct {
		Error struct {
			Code      string `json:"code"`
			Message   string `json:"message"`
			RequestID string `json:"request_id"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil || body.Error.Code == "" || body.Error.Message == "" ||
		body.Error.RequestID == "" || body.Error.RequestID != r.Header.Get("X-Request-Id") {
		t.Errorf("error body %s (request id header %q)", r.Body, r.Header.Get("X-Request-Id"))
	}
}

package app_test

import (
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/identity"
)

// TestIngestRedactsBeforeStoring: card numbers spoken as words and split
// across turns, SSNs in chats, emails in bodies and names in headers are
// gone from what is stored — the API returns what the database holds — and
// the interaction records counts, never values.
func TestIngestRedactsBeforeStoring(t *testing.T) {
	e := newEnv(t)
	cid := e.createCustomer(sampleCustomer())

	call := callInteraction(cid)
	call["transcript"] = map[string]any{"turns": []any{
		map[string]any{"speaker": "agent", "start": 0, "end": 2, "text": "can I have the card number please"},
		map[string]any{"speaker": "customer", "start": 2, "end": 5, "text": "four one one one one one one one",
			"words": words(2, "four one one one one one one one")},
		map[string]any{"speaker": "agent", "start": 5, "end": 5.5, "text": "mhm"},
		map[string]any{"speaker": "customer", "start": 5.5, "end": 9, "text": "one one one one one one one one",
			"words": words(5.5, "one one one one one one one one")},
		map[string]any{"speaker": "agent", "start": 9, "end": 10, "text": "thanks, that is all I need"},
	}}
	id := e.createInteraction(call)
	var got struct {
		Transcript struct {
			Turns []struct {
				Text  string
				Words []struct{ Word string }
			}
		}
		Redaction struct {
			Counts     map[string]int
			AudioSpans [][2]float64 `json:"audio_spans"`
		}
	}
	r := e.must(e.do(identity.RoleAgent, "GET", "/api/v1/interactions/"+id, nil), 200)
	r.json(t, &got)
	if strings.Contains(string(r.Body), "four one one one") || strings.Count(string(r.Body), "one one one one") > 0 {
		t.Errorf("spoken card number stored: %s", r.Body)
	}
	if got.Redaction.Counts["CARD_NUMBER"] != 1 {
		t.Errorf("redaction counts = %v, want one CARD_NUMBER", got.Redaction.Counts)
	}
	if len(got.Redaction.AudioSpans) == 0 || got.Redaction.AudioSpans[0][0] < 2 || got.Redaction.AudioSpans[len(got.Redaction.AudioSpans)-1][1] > 9 {
		t.Errorf("audio spans = %v", got.Redaction.AudioSpans)
	}
	if got.Transcript.Turns[4].Text != "thanks, that is all I need" {
		t.Errorf("innocent turn altered: %q", got.Transcript.Turns[4].Text)
	}

	chat := e.createInteraction(map[string]any{"customer_id": cid, "channel": "chat", "started_at": "2026-11-20T11:00:00Z",
		"messages": []any{
			map[string]any{"from": "agent", "at": "2026-11-20T11:00:01Z", "text": "What is your social security number?"},
			map[string]any{"from": "customer", "at": "2026-11-20T11:00:05Z", "text": "it's 123-45-6789, email me at jane.q@example.net"},
		}})
	r = e.must(e.do(identity.RoleAgent, "GET", "/api/v1/interactions/"+chat, nil), 200)
	if strings.Contains(string(r.Body), "123-45-6789") || strings.Contains(string(r.Body), "jane.q@example.net") {
		t.Errorf("chat PII stored: %s", r.Body)
	}

	mail := "From: Jane Smith <jane@example.com>\r\nTo: support@acme.example\r\nSubject: card 4111 1111 1111 1111 charged twice\r\n\r\nMy SSN is 123-45-6789.\r\n"
	em := e.createInteraction(map[string]any{"customer_id": cid, "channel": "email", "started_at": "2026-11-20T12:00:00Z", "email_raw": mail})
	r = e.must(e.do(identity.RoleAgent, "GET", "/api/v1/interactions/"+em, nil), 200)
	for _, leak := range []string{"4111 1111 1111 1111", "123-45-6789", "Jane Smith"} {
		if strings.Contains(string(r.Body), leak) {
			t.Errorf("email stored %q: %s", leak, r.Body)
		}
	}

	// A reveal reason is redacted before it enters the audit log.
	e.must(e.do(identity.RoleAgent, "POST", "/api/v1/customers/"+cid+"/reveal",
		map[string]any{"fields": []string{"phones"}, "reason": "caller gave card 4111 1111 1111 1111 to verify"}), 200)
	if reason, _ := e.lastAudit().Details["reason"].(string); strings.Contains(reason, "4111") || !strings.Contains(reason, "caller gave card") {
		t.Errorf("audited reason = %q", reason)
	}
}

// words splits text into word timings of 0.3 s each from start.
func words(start float64, text string) []any {
	var out []any
	for i, w := range strings.Fields(text) {
		out = append(out, map[string]any{"word": w, "start": start + 0.3*float64(i), "end": start + 0.3*float64(i) + 0.25})
	}
	return out
}

package app_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/records"
	"github.com/confide-cc/confide/internal/redact"
	"github.com/confide-cc/confide/internal/redact/audio"
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

// TestRecordingRedactedFromTranscript: the stretches of audio under
// redacted words are silenced as the recording streams in; audio that
// cannot be redacted is refused.
func TestRecordingRedactedFromTranscript(t *testing.T) {
	e := newEnv(t)
	cid := e.createCustomer(sampleCustomer())
	call := callInteraction(cid)
	call["transcript"] = map[string]any{"turns": []any{
		map[string]any{"speaker": "agent", "start": 0, "end": 1, "text": "what is the card number"},
		map[string]any{"speaker": "customer", "start": 1, "end": 6, "text": "4111 1111 1111 1111",
			"words": words(1, "4111 1111 1111 1111")},
	}}
	iid := e.createInteraction(call)
	samples := make([]byte, 8000*8) // 8 s of 8 kHz µ-law, no silence anywhere
	for i := range samples {
		samples[i] = 0x10
	}
	wav := audio.Write(audio.MuLaw, 1, 8000, samples)
	path := "/api/v1/interactions/" + iid + "/recording"
	e.must(e.do(identity.RoleIntegration, "PUT", path, wav, "Content-Type", "audio/wav"), 201)
	got := e.must(e.do(identity.RoleAgent, "GET", path, nil), 200).Body
	info, err := audio.Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	data := got[info.DataOffset:]
	at := func(sec float64) byte { return data[int(sec*8000)] }
	if at(1.5) != 0xFF || at(2.0) != 0xFF || at(0.5) != 0x10 || at(5) != 0x10 {
		t.Errorf("samples at 0.5/1.5/2.0/5 s = %x %x %x %x; want the card number silenced only", at(0.5), at(1.5), at(2), at(5))
	}
	for _, tc := range []struct {
		name, ctype string
		body        []byte
		status      int
	}{
		{"mp3 cannot be redacted", "audio/mpeg", []byte("ID3\x03..."), 415},
		{"not really a wav", "audio/wav", []byte("RIFF0000WAVEjunk"), 422},
		{"too short for the spans", "audio/wav", audio.Write(audio.MuLaw, 1, 8000, samples[:4000]), 422},
	} {
		if r := e.do(identity.RoleIntegration, "PUT", path, tc.body, "Content-Type", tc.ctype); r.Status != tc.status {
			t.Errorf("%s: %d, want %d: %s", tc.name, r.Status, tc.status, r.Body)
		}
	}
	// The redacted recording is still the one stored.
	if again := e.must(e.do(identity.RoleAgent, "GET", path, nil), 200).Body; !bytes.Equal(again, got) {
		t.Errorf("a refused upload replaced the recording")
	}
}

// TestCardScannerFindsStoredPAN stores content through a service whose
// redactor misses card numbers (as a detector gap or data stored before
// redaction would), then runs the scanner: it names the interaction and
// audits a high-severity event without the number.
func TestCardScannerFindsStoredPAN(t *testing.T) {
	e := newEnv(t)
	cid := e.createCustomer(sampleCustomer())
	clean := e.createInteraction(callInteraction(cid))
	weak, err := redact.New(redact.Config{Entities: []redact.EntityType{redact.Email}})
	if err != nil {
		t.Fatal(err)
	}
	leaky := records.New(e.app.Store, e.app.Vault, e.app.Blobs, records.Options{Redactor: weak})
	call := callInteraction(cid)
	call["transcript"] = map[string]any{"turns": []any{map[string]any{"speaker": "customer", "start": 0, "end": 3, "text": "my card is 4111 1111 1111 1111"}}}
	raw, _ := json.Marshal(call)
	var in records.InteractionInput
	if err := json.Unmarshal(raw, &in); err != nil {
		t.Fatal(err)
	}
	dirty, err := leaky.CreateInteraction(ctxAs(identity.RoleIntegration), in)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.app.Records.ScanForCardNumbers(ctxAs(identity.RoleSecurityAdmin), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Interactions != 2 || len(rep.Findings) != 1 || rep.Findings[0] != dirty || rep.Findings[0] == clean {
		t.Fatalf("scan report = %+v, want only %s", rep, dirty)
	}
	ev := e.lastAudit()
	if ev.Action != "redaction.pan_found" || ev.Resource != "interaction/"+dirty || ev.Details["severity"] != "high" {
		t.Errorf("audit = %+v", ev)
	}
	if b, _ := json.Marshal(ev); strings.Contains(string(b), "4111") {
		t.Errorf("the audit event holds the number: %s", b)
	}
}

// TestOriginalAudioKeptOnlyWhenConfigured: with keep_original_audio the
// unredacted original is stored too, and only a privacy officer with a
// reason can fetch it; without it, there is no original at all.
func TestOriginalAudioKeptOnlyWhenConfigured(t *testing.T) {
	for _, keep := range []bool{false, true} {
		args := []string{}
		if keep {
			args = append(args, "--keep-original-audio")
		}
		e := newEnv(t, args...)
		cid := e.createCustomer(sampleCustomer())
		call := callInteraction(cid)
		call["transcript"] = map[string]any{"turns": []any{
			map[string]any{"speaker": "customer", "start": 1, "end": 6, "text": "4111 1111 1111 1111", "words": words(1, "4111 1111 1111 1111")},
		}}
		iid := e.createInteraction(call)
		samples := bytes.Repeat([]byte{0x10}, 8000*8)
		wav := audio.Write(audio.MuLaw, 1, 8000, samples)
		path := "/api/v1/interactions/" + iid + "/recording"
		e.must(e.do(identity.RoleIntegration, "PUT", path, wav, "Content-Type", "audio/wav"), 201)
		redacted := e.must(e.do(identity.RoleAgent, "GET", path, nil), 200).Body
		if bytes.Equal(redacted, wav) {
			t.Fatal("the served recording is not redacted")
		}
		orig := path + "/original"
		if !keep {
			e.must(e.do(identity.RolePrivacyOfficer, "GET", orig, nil, "X-Confide-Reason", "DSAR 12"), 404)
			if n := countFiles(t, e.dataDir+"/blobs"); n != 1 {
				t.Errorf("%d blobs stored, want only the redacted recording", n)
			}
			continue
		}
		r := e.must(e.do(identity.RolePrivacyOfficer, "GET", orig, nil, "X-Confide-Reason", "legal hold request 12"), 200)
		if !bytes.Equal(r.Body, wav) {
			t.Errorf("original differs from the upload")
		}
		if ev := e.lastAudit(); ev.Action != "recording.play_original" || ev.Details["reason"] != "legal hold request 12" {
			t.Errorf("audit = %+v", ev)
		}
		for _, tc := range []struct {
			role   string
			reason string
			status int
		}{
			{identity.RolePrivacyOfficer, "", 400},
			{identity.RoleQAAnalyst, "review", 403},
			{identity.RoleSupervisor, "review", 403},
			{identity.RoleAuditor, "review", 404},
			{identity.RoleIntegration, "review", 404},
		} {
			if r := e.do(tc.role, "GET", orig, nil, "X-Confide-Reason", tc.reason); r.Status != tc.status {
				t.Errorf("%s with reason %q: %d, want %d", tc.role, tc.reason, r.Status, tc.status)
			}
		}
		// A new upload replaces both copies.
		e.must(e.do(identity.RoleIntegration, "PUT", path, wav, "Content-Type", "audio/wav"), 201)
		if _, err := e.app.Records.CollectBlobs(t.Context()); err != nil {
			t.Fatal(err)
		}
		if n := countFiles(t, e.dataDir+"/blobs"); n != 2 {
			t.Errorf("%d blobs after replacing, want 2 (redacted and original)", n)
		}
	}
}

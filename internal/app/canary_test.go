package app_test

import (
	"bytes"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/identity"
)

// Canary values: unique strings planted in every kind of customer data, then
// searched for in every byte Confide wrote.
var canaries = []string{
	"Zebulon Qanarywick",                // name
	"zebulon.q7x3@canary-mail.example",  // email
	"+14155550142",                      // phone, as stored normalized
	"415-555-0142",                      // phone, as given
	"1971-03-29",                        // date of birth
	"QCANARYACCT7731",                   // account number
	"4711 Canaryvale Boulevard",         // address line
	"Canaryburg",                        // city
	"platinum-q7x3",                     // attribute value
	"the canary sings at midnight q7x3", // transcript sentence
	"canary chat message q7x3",          // chat text
	"Canary subject q7x3",               // email subject
	"canary email body q7x3",            // email body
	"CANARY-ATTACHMENT-q7x3",            // attachment content
	"CANARY-AUDIO-q7x3",                 // recording bytes
	"canary-file-q7x3.pdf",              // attachment file name
}

func plantCanaries(t *testing.T, e *env) {
	cid := e.createCustomer(map[string]any{
		"name": "Zebulon Qanarywick", "phones": []string{"415-555-0142"}, "emails": []string{"zebulon.q7x3@canary-mail.example"},
		"address":       map[string]any{"lines": []string{"4711 Canaryvale Boulevard"}, "city": "Canaryburg", "country": "US"},
		"date_of_birth": "1971-03-29", "account_numbers": []string{"QCANARYACCT7731"}, "attributes": map[string]string{"tier": "platinum-q7x3"},
	})
	call := callInteraction(cid)
	call["transcript"] = map[string]any{"turns": []any{map[string]any{"speaker": "customer", "start": 0, "end": 3, "text": "the canary sings at midnight q7x3"}}}
	iid := e.createInteraction(call)
	e.createInteraction(map[string]any{"customer_id": cid, "channel": "chat", "started_at": "2026-11-20T11:00:00Z",
		"messages": []any{map[string]any{"from": "customer", "at": "2026-11-20T11:00:01Z", "text": "canary chat message q7x3"}}})
	email := "From: Zebulon Qanarywick <zebulon.q7x3@canary-mail.example>\r\nTo: support@acme.example\r\nSubject: Canary subject q7x3\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\ncanary email body q7x3\r\n" +
		"--B\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"canary-file-q7x3.pdf\"\r\n\r\nCANARY-ATTACHMENT-q7x3\r\n--B--\r\n"
	e.createInteraction(map[string]any{"customer_id": cid, "channel": "email", "started_at": "2026-11-20T12:00:00Z", "email_raw": email})
	audio := bytes.Repeat([]byte("CANARY-AUDIO-q7x3 "), 20000)
	e.must(e.do(identity.RoleIntegration, "PUT", "/api/v1/interactions/"+iid+"/recording", audio, "Content-Type", "audio/wav"), 201)

	// Exercise every read path too, so their logs are scanned.
	e.must(e.do(identity.RoleAgent, "GET", "/api/v1/customers/"+cid, nil), 200)
	e.must(e.do(identity.RoleAgent, "GET", "/api/v1/customers?phone=415-555-0142", nil), 200)
	e.must(e.do(identity.RoleAgent, "GET", "/api/v1/customers?email=zebulon.q7x3%40canary-mail.example", nil), 200)
	e.must(e.do(identity.RoleAgent, "POST", "/api/v1/customers/"+cid+"/reveal", map[string]any{"fields": []string{"name", "phones"}, "reason": "verification"}), 200)
	e.must(e.do(identity.RoleAgent, "GET", "/api/v1/interactions/"+iid, nil), 200)
	e.must(e.do(identity.RoleAgent, "GET", "/api/v1/interactions/"+iid+"/recording", nil, "Range", "bytes=10-100"), 206)
	e.must(e.do(identity.RoleAgent, "PATCH", "/api/v1/customers/"+cid, map[string]any{"attributes": map[string]string{"tier": "platinum-q7x3"}}), 200)
	// Failing requests must not echo data into logs or errors either.
	r := e.do(identity.RoleIntegration, "POST", "/api/v1/customers", map[string]any{"name": "Zebulon Qanarywick", "phones": []string{"0142"}})
	if r.Status != 400 {
		t.Fatalf("status %d", r.Status)
	}
	for _, c := range canaries {
		if bytes.Contains(r.Body, []byte(c)) {
			t.Errorf("error response echoes canary %q", c)
		}
	}
}

// scan reports every canary (plain, lower-case, or hex-encoded) found in b.
func scan(t *testing.T, where string, b []byte) {
	t.Helper()
	low := bytes.ToLower(b)
	for _, c := range canaries {
		for _, form := range []string{c, strings.ToLower(c), hex.EncodeToString([]byte(c))} {
			if bytes.Contains(b, []byte(form)) || bytes.Contains(low, []byte(strings.ToLower(form))) {
				t.Errorf("canary %q found in clear in %s", c, where)
				break
			}
		}
	}
}

// TestNothingSensitiveAtRest plants canaries through the API and scans
// every byte of the data directory (database, WAL, blobs, keys) and the
// server's logs.
func TestNothingSensitiveAtRest(t *testing.T) {
	e := newEnv(t)
	plantCanaries(t, e)
	files := 0
	err := filepath.WalkDir(e.dataDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		scan(t, p, b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 5 {
		t.Fatalf("scanned only %d files; the test is not looking where data goes", files)
	}
	scan(t, "server log", e.logs.Bytes())
	if len(e.logs.Bytes()) == 0 {
		t.Fatal("no log output captured")
	}
}

package content_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"

	"github.com/confide-cc/confide/internal/content"
)

// The paths that errors may name: every array element with its index.
var (
	transcriptPath = regexp.MustCompile(`^transcript(\.turns(\[\d+\](\.(speaker|start|end|text|words(\[\d+\](\.(word|start|end))?)?))?)?)?$`)
	messagesPath   = regexp.MustCompile(`^messages(\[\d+\](\.(from|at|text))?)?$`)
	emailPath      = regexp.MustCompile(`^email(\.(header|from|to|cc|subject|date|message_id|body(\.parts\[\d+\])*))?$`)
)

// requireContentError fails unless err is an *content.Error with a problem
// and a Field that path matches.
func requireContentError(t *testing.T, err error, path *regexp.Regexp) {
	t.Helper()
	var ce *content.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is a %T, want *content.Error", err, err)
	}
	if !path.MatchString(ce.Field) || ce.Problem == "" {
		t.Fatalf("error %q has a malformed path or no problem", err)
	}
}

func FuzzParseTranscript(f *testing.F) {
	f.Add([]byte(doc(agentTurn, customerTurn)))
	f.Add([]byte(doc(`{"speaker":"agent","start":0,"end":4,"text":"Hello, Mr. Smith.",` +
		`"words":[{"word":"Hello,","start":0,"end":0.5},{"word":"Mr.","start":0.6,"end":0.8},{"word":"Smith","start":0.8,"end":1.2}]}`)))
	f.Add([]byte(doc(`{"speaker":"customer","start":1e-3,"end":86400,"text":"東京に","words":[{"word":"東京","start":1,"end":2}]}`)))
	f.Add([]byte(`{"turns":[{"speaker":"agent","start":-0,"end":1E2,"text":"\u00e9\ud800"}]}`))
	f.Add([]byte(`{"turns":[{"speaker":"agent"`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := content.ParseTranscript(data)
		if err != nil {
			requireContentError(t, err, transcriptPath)
			return
		}
		if err := got.Validate(); err != nil {
			t.Fatalf("parsed transcript does not validate: %v", err)
		}
		for i, turn := range got.Turns {
			if _, ok := turn.WordSpans(); !ok {
				t.Fatalf("turn %d: words do not align", i)
			}
		}
		// What the package accepts, it can write and read back unchanged.
		again, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		round, err := content.ParseTranscript(again)
		if err != nil {
			t.Fatalf("re-parsing %s: %v", again, err)
		}
		if !reflect.DeepEqual(round, got) {
			t.Fatalf("round trip changed the transcript:\n%+v\n%+v", got, round)
		}
	})
}

func FuzzParseMessages(f *testing.F) {
	f.Add([]byte(msgs(firstMsg, secondMsg)))
	f.Add([]byte(`[{"from":"+1 202 555 0143","at":"2025-03-01T14:05:09.123456789-07:00","text":"x"}]`))
	f.Add([]byte(`[{"from":"a","at":"0001-01-01T00:00:00Z","text":"x"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := content.ParseMessages(data)
		if err != nil {
			requireContentError(t, err, messagesPath)
			return
		}
		if err := content.ValidateMessages(got); err != nil {
			t.Fatalf("parsed messages do not validate: %v", err)
		}
		again, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		round, err := content.ParseMessages(again)
		if err != nil {
			t.Fatalf("re-parsing %s: %v", again, err)
		}
		for i := range got {
			if round[i].From != got[i].From || round[i].Text != got[i].Text || !round[i].At.Equal(got[i].At) {
				t.Fatalf("round trip changed message %d: %+v became %+v", i, got[i], round[i])
			}
		}
	})
}

func FuzzParseEmail(f *testing.F) {
	inputs, err := filepath.Glob("testdata/email/*.eml")
	if err != nil || len(inputs) == 0 {
		f.Fatalf("no seed messages: %v", err)
	}
	for _, in := range inputs {
		raw, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(multipartEmail("--b\nContent-Type: multipart/alternative; boundary=c\n\n--c\n\nok\n--c\n\ncut")))
	f.Add([]byte(email("SGVs bG8\n", "From: a@example.com", "Content-Transfer-Encoding: base64")))
	// Small limits let the fuzzer reach them.
	limits := content.EmailLimits{MaxBytes: 1 << 20, MaxParts: 16, MaxDepth: 4, MaxTextBytes: 64 << 10}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := content.ParseEmail(raw, limits)
		if err != nil {
			requireContentError(t, err, emailPath)
			return
		}
		if err := got.Validate(); err != nil {
			t.Fatalf("parsed email does not validate: %v", err)
		}
		if n := len(got.TextBody) + len(got.HTMLBody); n > limits.MaxTextBytes {
			t.Fatalf("%d bytes of text exceed the limit", n)
		}
		if n := len(got.Attachments); n > limits.MaxParts {
			t.Fatalf("%d attachments exceed the parts limit", n)
		}
	})
}

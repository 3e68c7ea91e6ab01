package content_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/content"
)

// msgs returns a messages JSON document with the given message objects.
func msgs(objects ...string) string { return `[` + strings.Join(objects, ",") + `]` }

const (
	firstMsg  = `{"from":"customer","at":"2025-03-01T14:05:09Z","text":"Hi, my parcel is late."}`
	secondMsg = `{"from":"agent","at":"2025-03-01T15:05:10.250+01:00","text":"Sorry to hear that."}`
)

func TestParseMessagesValid(t *testing.T) {
	got, err := content.ParseMessages([]byte(msgs(firstMsg, secondMsg, secondMsg)))
	if err != nil {
		t.Fatal(err)
	}
	first := time.Date(2025, 3, 1, 14, 5, 9, 0, time.UTC)
	second := time.Date(2025, 3, 1, 14, 5, 10, 250e6, time.UTC)
	want := []content.Message{
		{From: "customer", At: first, Text: "Hi, my parcel is late."},
		{From: "agent", At: second, Text: "Sorry to hear that."},
		{From: "agent", At: second, Text: "Sorry to hear that."},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d messages, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].From != want[i].From || got[i].Text != want[i].Text || !got[i].At.Equal(want[i].At) {
			t.Errorf("message %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParseMessagesErrors(t *testing.T) {
	var tooMuchText []string
	text := strings.Repeat("a", content.MaxMessageTextBytes)
	for i := 0; i <= content.MaxMessagesTextBytes/content.MaxMessageTextBytes; i++ {
		tooMuchText = append(tooMuchText, `{"from":"a","at":"2025-03-01T14:05:09Z","text":"`+text+`"}`)
	}
	msg := func(from, at, text string) string {
		return `{"from":` + from + `,"at":` + at + `,"text":` + text + `}`
	}
	const at = `"2025-03-01T14:05:09Z"`
	tests := []struct {
		name, in, want string
	}{
		{"empty", ``, "messages: empty JSON document"},
		{"object", `{}`, "messages: must be a JSON array"},
		{"no messages", `[]`, "messages: at least one message is required"},
		{"syntax", `[{"from":]`, "messages: invalid JSON at line 1, column 10"},
		{"truncated", `[{"from":"a"`, "messages: truncated JSON"},
		{"trailing", msgs(firstMsg) + `]`, "messages: unexpected data after the JSON value"},
		{"invalid UTF-8", "[\"\xc3\x28\"]", "messages: invalid UTF-8 at line 1, column 3"},
		{"too large", strings.Repeat(" ", content.MaxMessagesBytes+1), "messages: document is larger than 33554432 bytes"},
		{"too many", `[` + strings.Repeat(`{},`, content.MaxMessages) + `{}]`, "messages: more than 100000 messages"},
		{"all text too long", msgs(tooMuchText...), "messages: text of all messages together is longer than 4194304 bytes"},
		{"not object", msgs(firstMsg, `"x"`), "messages[1]: must be a JSON object"},
		{"unknown field", msgs(`{"from":"a","at":` + at + `,"text":"x","to":"b"}`), "messages[0]: unknown field"},
		{"from missing", msgs(`{"at":` + at + `,"text":"x"}`), "messages[0].from: empty"},
		{"from blank", msgs(msg(`" "`, at, `"x"`)), "messages[0].from: empty"},
		{"from not string", msgs(msg(`5`, at, `"x"`)), "messages[0].from: must be a string"},
		{"from control", msgs(msg(`"a\nb"`, at, `"x"`)), "messages[0].from: contains a control character"},
		{"from NUL", msgs(msg(`"a\u0000"`, at, `"x"`)), "messages[0].from: contains a NUL character"},
		{"from too long", msgs(msg(`"`+strings.Repeat("a", content.MaxFromBytes+1)+`"`, at, `"x"`)), "messages[0].from: longer than 256 bytes"},
		{"at missing", msgs(`{"from":"a","text":"x"}`), "messages[0].at: missing"},
		{"at null", msgs(msg(`"a"`, `null`, `"x"`)), "messages[0].at: missing"},
		{"at number", msgs(msg(`"a"`, `1741000000`, `"x"`)), "messages[0].at: must be a string"},
		{"at no zone", msgs(msg(`"a"`, `"2025-03-01T14:05:09"`, `"x"`)), "messages[0].at: must be an RFC 3339 date-time with a time zone offset"},
		{"at date only", msgs(msg(`"a"`, `"2025-03-01"`, `"x"`)), "messages[0].at: must be an RFC 3339 date-time with a time zone offset"},
		{"at out of order", msgs(secondMsg, firstMsg), "messages[1].at: before the previous message"},
		{"text missing", msgs(`{"from":"a","at":` + at + `}`), "messages[0].text: empty"},
		{"text blank", msgs(msg(`"a"`, at, `"\t"`)), "messages[0].text: empty"},
		{"text NUL", msgs(msg(`"a"`, at, `"\u0000"`)), "messages[0].text: contains a NUL character"},
		{"text too long", msgs(msg(`"a"`, at, `"`+text+`b"`)), "messages[0].text: longer than 65536 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := content.ParseMessages([]byte(tt.in))
			wantError(t, err, tt.want)
			if got != nil {
				t.Errorf("got messages with the error")
			}
		})
	}
}

// TestValidateMessages covers values that JSON cannot express.
func TestValidateMessages(t *testing.T) {
	at := time.Date(2025, 3, 1, 14, 5, 9, 0, time.UTC)
	tests := []struct {
		name string
		msgs []content.Message
		want string
	}{
		{"nil", nil, "messages: at least one message is required"},
		{"too many", make([]content.Message, content.MaxMessages+1), "messages: more than 100000 messages"},
		{"zero time", []content.Message{{From: "a", Text: "x"}}, "messages[0].at: missing"},
		{"year 10000", []content.Message{{From: "a", At: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), Text: "x"}}, "messages[0].at: year outside 1 to 9999"},
		{"invalid UTF-8 text", []content.Message{{From: "a", At: at, Text: "\xff"}}, "messages[0].text: not valid UTF-8"},
		{"invalid UTF-8 from", []content.Message{{From: "\xff", At: at, Text: "x"}}, "messages[0].from: not valid UTF-8"},
		{"C1 control in from", []content.Message{{From: "a\u0085", At: at, Text: "x"}}, "messages[0].from: contains a control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, content.ValidateMessages(tt.msgs), tt.want)
		})
	}
	valid := []content.Message{
		{From: "+1 202 555 0143", At: at, Text: "Same instant"},
		{From: "Zoë", At: at.In(time.FixedZone("CET", 3600)), Text: "Same instant, other zone\nsecond line"},
	}
	if err := content.ValidateMessages(valid); err != nil {
		t.Fatalf("valid messages: %v", err)
	}
}

// TestWireNames pins the JSON names of the content types, which other tools
// depend on.
func TestWireNames(t *testing.T) {
	transcript := content.Transcript{Turns: []content.Turn{
		{Speaker: "agent", Start: 0, End: 1.5, Text: "hi", Words: []content.Word{{Word: "hi", Start: 0, End: 1}}},
		{Speaker: "customer", Start: 2, End: 3, Text: "yes"},
	}}
	message := content.Message{From: "agent", At: time.Date(2025, 3, 1, 14, 5, 9, 0, time.UTC), Text: "hi"}
	for _, tt := range []struct {
		v    any
		want string
	}{
		{transcript, `{"turns":[{"speaker":"agent","start":0,"end":1.5,"text":"hi","words":[{"word":"hi","start":0,"end":1}]},` +
			`{"speaker":"customer","start":2,"end":3,"text":"yes"}]}`},
		{message, `{"from":"agent","at":"2025-03-01T14:05:09Z","text":"hi"}`},
	} {
		got, err := json.Marshal(tt.v)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tt.want {
			t.Errorf("got %s\nwant %s", got, tt.want)
		}
	}
}

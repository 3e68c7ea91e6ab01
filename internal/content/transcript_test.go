package content_test

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/content"
)

// doc returns a transcript JSON document with the given turn objects.
func doc(turns ...string) string { return `{"turns":[` + strings.Join(turns, ",") + `]}` }

const (
	agentTurn    = `{"speaker":"agent","start":0,"end":2.5,"text":"How can I help?"}`
	customerTurn = `{"speaker":"customer","start":3,"end":6,"text":"My card is blocked."}`
)

// wantError checks that err is an *content.Error with the message want.
func wantError(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %q", want)
	}
	var ce *content.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %q is a %T, want *content.Error", err, err)
	}
	if got := ce.Field + ": " + ce.Problem; got != want || err.Error() != want {
		t.Fatalf("got error %q, want %q", err, want)
	}
}

func TestParseTranscriptValid(t *testing.T) {
	got, err := content.ParseTranscript([]byte(` ` + doc(
		`{"speaker":"agent","start":0,"end":4,"text":"Hello, Mr. Smith. How are you?",
		  "words":[{"word":"Hello,","start":0,"end":0.5},{"word":"Mr.","start":0.6,"end":0.8},
		           {"word":"Smith","start":0.8,"end":1.2},{"word":"How","start":1.5,"end":1.7}]}`,
		`{"speaker":"customer","start":3.5,"end":5,"text":"fine","words":[]}`,
	) + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := content.Transcript{Turns: []content.Turn{
		{Speaker: "agent", Start: 0, End: 4, Text: "Hello, Mr. Smith. How are you?", Words: []content.Word{
			{Word: "Hello,", Start: 0, End: 0.5}, {Word: "Mr.", Start: 0.6, End: 0.8},
			{Word: "Smith", Start: 0.8, End: 1.2}, {Word: "How", Start: 1.5, End: 1.7},
		}},
		{Speaker: "customer", Start: 3.5, End: 5, Text: "fine"},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

func TestParseTranscriptErrors(t *testing.T) {
	long := strings.Repeat("a", content.MaxTurnTextBytes+1)
	maxText := strings.Repeat("a", content.MaxTurnTextBytes)
	var tooMuchText []string
	for i := 0; i <= content.MaxTranscriptTextBytes/content.MaxTurnTextBytes; i++ {
		tooMuchText = append(tooMuchText, `{"speaker":"agent","start":0,"end":1,"text":"`+maxText+`"}`)
	}
	tooManyTurns := `{"turns":[` + strings.Repeat(`{},`, content.MaxTurns) + `{}]}`

	tests := []struct {
		name, in, want string
	}{
		// The document.
		{"empty", ``, "transcript: empty JSON document"},
		{"blank", " \n", "transcript: empty JSON document"},
		{"array", `[]`, "transcript: must be a JSON object"},
		{"null", `null`, "transcript: must be a JSON object"},
		{"syntax", "{\"turns\":\n [}", "transcript: invalid JSON at line 2, column 3"},
		{"truncated", `{"turns":[`, "transcript: truncated JSON"},
		{"trailing object", doc(agentTurn) + `{}`, "transcript: unexpected data after the JSON value"},
		{"trailing garbage", doc(agentTurn) + ` x`, "transcript: unexpected data after the JSON value"},
		{"invalid UTF-8", "{\n \"turns\": \"\xff\"}", "transcript: invalid UTF-8 at line 2, column 12"},
		{"unknown field", `{"turns":[],"speaker":"agent"}`, "transcript: unknown field"},
		{"too large", strings.Repeat(" ", content.MaxTranscriptBytes+1), "transcript: document is larger than 33554432 bytes"},
		// The turns.
		{"no turns field", `{}`, "transcript.turns: at least one turn is required"},
		{"null turns", `{"turns":null}`, "transcript.turns: at least one turn is required"},
		{"zero turns", doc(), "transcript.turns: at least one turn is required"},
		{"turns not array", `{"turns":{}}`, "transcript.turns: must be an array"},
		{"too many turns", tooManyTurns, "transcript.turns: more than 100000 turns"},
		{"turn not object", doc(agentTurn, `[]`), "transcript.turns[1]: must be a JSON object"},
		{"turn null", doc(`null`), "transcript.turns[0]: must be a JSON object"},
		{"turn unknown field", doc(`{"speaker":"agent","start":0,"end":1,"text":"x","confidence":0.9}`), "transcript.turns[0]: unknown field"},
		{"turns out of order", doc(customerTurn, agentTurn), "transcript.turns[1].start: before the previous turn's start"},
		{"all text too long", doc(tooMuchText...), "transcript.turns: text of all turns together is longer than 4194304 bytes"},
		// A turn's fields.
		{"speaker missing", doc(`{"start":0,"end":1,"text":"x"}`), "transcript.turns[0].speaker: missing"},
		{"speaker unknown", doc(`{"speaker":"system","start":0,"end":1,"text":"x"}`), `transcript.turns[0].speaker: must be "agent" or "customer"`},
		{"speaker case", doc(`{"speaker":"Agent","start":0,"end":1,"text":"x"}`), `transcript.turns[0].speaker: must be "agent" or "customer"`},
		{"speaker not string", doc(`{"speaker":1,"start":0,"end":1,"text":"x"}`), "transcript.turns[0].speaker: must be a string"},
		{"start missing", doc(`{"speaker":"agent","end":1,"text":"x"}`), "transcript.turns[0].start: missing"},
		{"start null", doc(`{"speaker":"agent","start":null,"end":1,"text":"x"}`), "transcript.turns[0].start: missing"},
		{"end missing", doc(`{"speaker":"agent","start":0,"text":"x"}`), "transcript.turns[0].end: missing"},
		{"start string", doc(`{"speaker":"agent","start":"0","end":1,"text":"x"}`), "transcript.turns[0].start: must be a number"},
		{"start out of range", doc(`{"speaker":"agent","start":1e400,"end":1,"text":"x"}`), "transcript.turns[0].start: number out of range"},
		{"start negative", doc(`{"speaker":"agent","start":-0.1,"end":1,"text":"x"}`), "transcript.turns[0].start: negative"},
		{"end negative", doc(`{"speaker":"agent","start":0,"end":-1,"text":"x"}`), "transcript.turns[0].end: negative"},
		{"end too late", doc(`{"speaker":"agent","start":0,"end":86400.5,"text":"x"}`), "transcript.turns[0].end: later than 86400 seconds"},
		{"end before start", doc(`{"speaker":"agent","start":2,"end":1,"text":"x"}`), "transcript.turns[0]: end before start"},
		{"text missing", doc(`{"speaker":"agent","start":0,"end":1}`), "transcript.turns[0].text: empty"},
		{"text blank", doc(`{"speaker":"agent","start":0,"end":1,"text":" \n\t"}`), "transcript.turns[0].text: empty"},
		{"text not string", doc(`{"speaker":"agent","start":0,"end":1,"text":["x"]}`), "transcript.turns[0].text: must be a string"},
		{"text NUL", doc(`{"speaker":"agent","start":0,"end":1,"text":"a\u0000b"}`), "transcript.turns[0].text: contains a NUL character"},
		{"text too long", doc(`{"speaker":"agent","start":0,"end":1,"text":"` + long + `"}`), "transcript.turns[0].text: longer than 65536 bytes"},
		// Words.
		{"words not array", doc(`{"speaker":"agent","start":0,"end":1,"text":"x","words":"x"}`), "transcript.turns[0].words: must be an array"},
		{"word not object", doc(agentTurn, `{"speaker":"agent","start":3,"end":4,"text":"x","words":[1]}`), "transcript.turns[1].words[0]: must be a JSON object"},
		{"word unknown field", doc(`{"speaker":"agent","start":0,"end":1,"text":"x","words":[{"word":"x","start":0,"end":1,"conf":1}]}`), "transcript.turns[0].words[0]: unknown field"},
		{"word start missing", doc(`{"speaker":"agent","start":0,"end":1,"text":"x","words":[{"word":"x","end":1}]}`), "transcript.turns[0].words[0].start: missing"},
		{"word end missing", doc(`{"speaker":"agent","start":0,"end":1,"text":"x","words":[{"word":"x","start":0}]}`), "transcript.turns[0].words[0].end: missing"},
		{"word end not number", doc(`{"speaker":"agent","start":0,"end":1,"text":"x","words":[{"word":"x","start":0,"end":true}]}`), "transcript.turns[0].words[0].end: must be a number"},
		{"word not string", doc(`{"speaker":"agent","start":0,"end":1,"text":"x","words":[{"word":{},"start":0,"end":1}]}`), "transcript.turns[0].words[0].word: must be a string"},
		{"word end before start", doc(`{"speaker":"agent","start":0,"end":9,"text":"a b c","words":[{"word":"a","start":0,"end":1},{"word":"b","start":1,"end":2},{"word":"c","start":3,"end":2}]}`), "transcript.turns[0].words[2]: end before start"},
		{"word negative", doc(`{"speaker":"agent","start":0,"end":1,"text":"x","words":[{"word":"x","start":-1,"end":1}]}`), "transcript.turns[0].words[0].start: negative"},
		{"word before turn", doc(`{"speaker":"agent","start":1,"end":2,"text":"x","words":[{"word":"x","start":0.5,"end":1.5}]}`), "transcript.turns[0].words[0]: outside the turn's time range"},
		{"word after turn", doc(`{"speaker":"agent","start":1,"end":2,"text":"x","words":[{"word":"x","start":1.5,"end":2.5}]}`), "transcript.turns[0].words[0]: outside the turn's time range"},
		{"words out of order", doc(`{"speaker":"agent","start":0,"end":9,"text":"a b","words":[{"word":"a","start":2,"end":3},{"word":"b","start":1,"end":3}]}`), "transcript.turns[0].words[1].start: before the previous word's start"},
		{"word empty", doc(`{"speaker":"agent","start":0,"end":1,"text":"x","words":[{"word":"","start":0,"end":1}]}`), "transcript.turns[0].words[0].word: empty"},
		{"word missing", doc(`{"speaker":"agent","start":0,"end":1,"text":"x","words":[{"start":0,"end":1}]}`), "transcript.turns[0].words[0].word: empty"},
		{"word not in text", doc(`{"speaker":"agent","start":0,"end":9,"text":"card blocked","words":[{"word":"card","start":0,"end":1},{"word":"stolen","start":1,"end":2}]}`), "transcript.turns[0].words[1].word: does not occur in the turn's text after the previous word"},
		{"words in wrong text order", doc(`{"speaker":"agent","start":0,"end":9,"text":"card blocked","words":[{"word":"blocked","start":0,"end":1},{"word":"card","start":1,"end":2}]}`), "transcript.turns[0].words[1].word: does not occur in the turn's text after the previous word"},
		{"word used twice", doc(`{"speaker":"agent","start":0,"end":9,"text":"no","words":[{"word":"no","start":0,"end":1},{"word":"no","start":1,"end":2}]}`), "transcript.turns[0].words[1].word: does not occur in the turn's text after the previous word"},
		{"word differs in case", doc(`{"speaker":"agent","start":0,"end":9,"text":"Hello","words":[{"word":"hello","start":0,"end":1}]}`), "transcript.turns[0].words[0].word: does not occur in the turn's text after the previous word"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := content.ParseTranscript([]byte(tt.in))
			wantError(t, err, tt.want)
			if !reflect.DeepEqual(got, content.Transcript{}) {
				t.Errorf("got a non-zero transcript with the error")
			}
		})
	}
}

// TestValidateTranscript covers values that JSON cannot express and the
// rules that allow rather than reject.
func TestValidateTranscript(t *testing.T) {
	turn := func(start, end float64) content.Turn {
		return content.Turn{Speaker: content.SpeakerAgent, Start: start, End: end, Text: "x"}
	}
	word := func(w string, start, end float64) content.Word { return content.Word{Word: w, Start: start, End: end} }
	tests := []struct {
		name  string
		turns []content.Turn
		want  string // "" for valid
	}{
		{"NaN start", []content.Turn{turn(math.NaN(), 1)}, "transcript.turns[0].start: not a finite number"},
		{"infinite end", []content.Turn{turn(0, math.Inf(1))}, "transcript.turns[0].end: not a finite number"},
		{"minus infinity", []content.Turn{turn(math.Inf(-1), 1)}, "transcript.turns[0].start: not a finite number"},
		{"NaN word", []content.Turn{{Speaker: "agent", End: 1, Text: "x", Words: []content.Word{word("x", 0, math.NaN())}}}, "transcript.turns[0].words[0].end: not a finite number"},
		{"invalid UTF-8 text", []content.Turn{{Speaker: "agent", End: 1, Text: "caf\xe9"}}, "transcript.turns[0].text: not valid UTF-8"},
		{"invalid UTF-8 word", []content.Turn{{Speaker: "agent", End: 1, Text: "é", Words: []content.Word{word("\xc3", 0, 1)}}}, "transcript.turns[0].words[0].word: not valid UTF-8"},
		{"blank word", []content.Turn{{Speaker: "agent", End: 1, Text: "a b", Words: []content.Word{word(" ", 0, 1)}}}, "transcript.turns[0].words[0].word: empty"},
		{"too many turns", make([]content.Turn, content.MaxTurns+1), "transcript.turns: more than 100000 turns"},
		{"nil", nil, "transcript.turns: at least one turn is required"},

		{"crosstalk overlap", []content.Turn{turn(0, 5), {Speaker: "customer", Start: 2, End: 3, Text: "y"}}, ""},
		{"equal starts", []content.Turn{turn(1, 2), turn(1, 1)}, ""},
		{"zero-length turn at the limit", []content.Turn{turn(content.MaxSeconds, content.MaxSeconds)}, ""},
		{"negative zero", []content.Turn{turn(math.Copysign(0, -1), 0)}, ""},
		{"words at the turn's bounds, overlapping", []content.Turn{{Speaker: "agent", Start: 1, End: 3, Text: "ab cd",
			Words: []content.Word{word("ab", 1, 2.5), word("cd", 2, 3)}}}, ""},
		{"words a subset of the text", []content.Turn{{Speaker: "agent", End: 3, Text: "um, four one one one",
			Words: []content.Word{word("four", 0, 1), word("one", 1, 1), word("one", 1, 2)}}}, ""},
		{"words without spaces (Japanese)", []content.Turn{{Speaker: "customer", End: 3, Text: "東京に行きます。",
			Words: []content.Word{word("東京", 0, 1), word("に", 1, 1.5), word("行きます", 1.5, 3)}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := content.Transcript{Turns: tt.turns}.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				return
			}
			wantError(t, err, tt.want)
		})
	}
}

func TestWordSpans(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		words  []string
		want   []content.Span
		wantOK bool
	}{
		{"no words", "hello", nil, []content.Span{}, true},
		{"punctuation between", "Hello, Mr. Smith.", []string{"Hello", "Mr.", "Smith"},
			[]content.Span{{0, 5}, {7, 10}, {11, 16}}, true},
		{"repeated word", "one one one", []string{"one", "one", "one"},
			[]content.Span{{0, 3}, {4, 7}, {8, 11}}, true},
		{"first occurrence after the previous word", "cat at", []string{"cat", "at"},
			[]content.Span{{0, 3}, {4, 6}}, true},
		{"multi-byte", "Zoë está", []string{"Zoë", "está"}, []content.Span{{0, 4}, {5, 10}}, true},
		{"missing word", "one two", []string{"two", "one"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			turn := content.Turn{Text: tt.text}
			for _, w := range tt.words {
				turn.Words = append(turn.Words, content.Word{Word: w})
			}
			got, ok := turn.WordSpans()
			if ok != tt.wantOK || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
			for i, s := range got {
				if tt.text[s.Start:s.End] != tt.words[i] {
					t.Errorf("span %d covers %q, want %q", i, tt.text[s.Start:s.End], tt.words[i])
				}
			}
		})
	}
}

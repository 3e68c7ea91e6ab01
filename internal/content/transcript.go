package content

import (
	"fmt"
	"math"
	"strings"
)

// Speakers of a transcript turn.
const (
	SpeakerAgent    = "agent"
	SpeakerCustomer = "customer"
)

// Limits on a transcript. docs/TRANSCRIPT-FORMAT.md states the same numbers.
const (
	// MaxTranscriptBytes is the largest JSON document ParseTranscript accepts.
	MaxTranscriptBytes = 32 << 20
	// MaxTurns is the most turns a transcript may have.
	MaxTurns = 100_000
	// MaxTurnTextBytes is the longest a turn's text may be, in bytes of UTF-8.
	MaxTurnTextBytes = 64 << 10
	// MaxTranscriptTextBytes is the most text all turns together may hold.
	MaxTranscriptTextBytes = 4 << 20
	// MaxSeconds is the latest time, in seconds from the start of the
	// recording, that a turn or word may start or end (24 hours).
	MaxSeconds = 24 * 60 * 60
)

// Transcript is the text of a call, as a speech-to-text engine produced it:
// speaker turns in time order, each optionally with word timings.
type Transcript struct {
	Turns []Turn `json:"turns"`
}

// Turn is one speaker's stretch of speech. Times are seconds from the start of
// the recording.
type Turn struct {
	Speaker string  `json:"speaker"`
	Start   float64 `json:"start"`
	End     float64 `json:"end"`
	Text    string  `json:"text"`
	// Words, when present, time the words of Text. Each Word.Word occurs in
	// Text, in order; see [Turn.WordSpans].
	Words []Word `json:"words,omitempty"`
}

// Word is one recognised word of a turn and when it was spoken.
type Word struct {
	Word  string  `json:"word"`
	Start float64 `json:"start"`
	End   float64 `json:"end"`
}

// Span is the half-open byte range [Start, End) of a string.
type Span struct {
	Start, End int
}

// Validate reports the first rule of docs/TRANSCRIPT-FORMAT.md that t breaks,
// as an *Error, or nil if t is valid:
//
//   - there is at least one turn and at most [MaxTurns];
//   - each speaker is [SpeakerAgent] or [SpeakerCustomer];
//   - every start and end is finite, in [0, MaxSeconds], with start <= end;
//   - turns are in non-decreasing start order (they may overlap: crosstalk);
//   - each text is non-blank valid UTF-8 without NUL, at most
//     [MaxTurnTextBytes], and all texts together at most [MaxTranscriptTextBytes];
//   - each word is non-blank, lies within its turn's time range, starts no
//     earlier than the previous word, and occurs in the turn's text after the
//     previous word (see [Turn.WordSpans]).
func (t Transcript) Validate() error {
	const path = "transcript.turns"
	switch {
	case len(t.Turns) == 0:
		return errorf(path, "at least one turn is required")
	case len(t.Turns) > MaxTurns:
		return errorf(path, "more than %d turns", MaxTurns)
	}
	total := 0
	for i, turn := range t.Turns {
		if err := turn.check(); err != nil {
			return err.in(index(path, i))
		}
		if i > 0 && turn.Start < t.Turns[i-1].Start {
			return errorf(index(path, i)+".start", "before the previous turn's start")
		}
		total += len(turn.Text)
		if total > MaxTranscriptTextBytes {
			return errorf(path, "text of all turns together is longer than %d bytes", MaxTranscriptTextBytes)
		}
	}
	return nil
}

// check validates t on its own; the error's Field is relative to the turn.
func (t Turn) check() *Error {
	switch t.Speaker {
	case SpeakerAgent, SpeakerCustomer:
	case "":
		return errorf("speaker", "missing")
	default:
		return errorf("speaker", "must be %q or %q", SpeakerAgent, SpeakerCustomer)
	}
	if err := checkTimes(t.Start, t.End); err != nil {
		return err
	}
	if isBlank(t.Text) {
		return errorf("text", "empty")
	}
	if p := textProblem(t.Text, MaxTurnTextBytes); p != "" {
		return errorf("text", "%s", p)
	}
	cursor := 0
	for j := range t.Words {
		var err *Error
		if cursor, err = t.checkWord(j, cursor); err != nil {
			return err.in(index("words", j))
		}
	}
	return nil
}

// checkWord validates word j of t, which must occur in t.Text at or after
// cursor, and returns the end of its occurrence. The error's Field is relative
// to the word.
func (t Turn) checkWord(j, cursor int) (int, *Error) {
	w := t.Words[j]
	if err := checkTimes(w.Start, w.End); err != nil {
		return 0, err
	}
	switch {
	case w.Start < t.Start || w.End > t.End:
		return 0, errorf("", "outside the turn's time range")
	case j > 0 && w.Start < t.Words[j-1].Start:
		return 0, errorf("start", "before the previous word's start")
	case isBlank(w.Word):
		return 0, errorf("word", "empty")
	}
	if p := textProblem(w.Word, MaxTurnTextBytes); p != "" {
		return 0, errorf("word", "%s", p)
	}
	span, ok := findWord(t.Text, cursor, w.Word)
	if !ok {
		return 0, errorf("word", "does not occur in the turn's text after the previous word")
	}
	return span.End, nil
}

// WordSpans returns, for each of t.Words, where it occurs in t.Text: word i is
// matched at its first occurrence (byte-exact) at or after the end of word
// i-1's match, word 0 at its first occurrence at all. Text between matches,
// such as punctuation or spaces, belongs to no word. Redaction uses the spans
// to map a piece of text to the times at which it was spoken.
//
// ok is false if some word does not occur; it is always true for a turn of a
// transcript that passed [Transcript.Validate]. Spans of a valid turn lie on
// UTF-8 character boundaries.
func (t Turn) WordSpans() (spans []Span, ok bool) {
	spans = make([]Span, len(t.Words))
	cursor := 0
	for i, w := range t.Words {
		if spans[i], ok = findWord(t.Text, cursor, w.Word); !ok {
			return nil, false
		}
		cursor = spans[i].End
	}
	return spans, true
}

// findWord returns the first occurrence of word in text at or after from.
func findWord(text string, from int, word string) (Span, bool) {
	i := strings.Index(text[from:], word)
	if word == "" || i < 0 {
		return Span{}, false
	}
	start := from + i
	return Span{Start: start, End: start + len(word)}, true
}

// checkTimes checks the start and end of a turn or word; the error's Field
// is relative to it.
func checkTimes(start, end float64) *Error {
	if p := secondsProblem(start); p != "" {
		return errorf("start", "%s", p)
	}
	if p := secondsProblem(end); p != "" {
		return errorf("end", "%s", p)
	}
	if end < start {
		return errorf("", "end before start")
	}
	return nil
}

func secondsProblem(t float64) string {
	switch {
	case math.IsNaN(t) || math.IsInf(t, 0):
		return "not a finite number"
	case t < 0:
		return "negative"
	case t > MaxSeconds:
		return fmt.Sprintf("later than %d seconds", MaxSeconds)
	}
	return ""
}

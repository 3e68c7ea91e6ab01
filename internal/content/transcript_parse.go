package content

import "encoding/json"

// The wire types mirror Transcript with times and elements as pointers, so
// that a missing time or a null element is an error rather than zero.
type (
	wireTranscript struct {
		Turns []*wireTurn `json:"turns"`
	}
	wireTurn struct {
		Speaker string      `json:"speaker"`
		Start   *float64    `json:"start"`
		End     *float64    `json:"end"`
		Text    string      `json:"text"`
		Words   []*wireWord `json:"words"`
	}
	wireWord struct {
		Word  string   `json:"word"`
		Start *float64 `json:"start"`
		End   *float64 `json:"end"`
	}
)

// The shallow types decode one nesting level at a time, holding the next as
// json.RawMessage, so that a decoding error can be located to its turn and
// word. They accept exactly what the wire types accept.
type (
	shallowTranscript struct {
		Turns []json.RawMessage `json:"turns"`
	}
	shallowTurn struct {
		Speaker string            `json:"speaker"`
		Start   *float64          `json:"start"`
		End     *float64          `json:"end"`
		Text    string            `json:"text"`
		Words   []json.RawMessage `json:"words"`
	}
)

// ParseTranscript decodes a transcript from JSON and validates it. Decoding is
// strict: the document must be valid UTF-8 and at most [MaxTranscriptBytes]
// long, unknown fields and data after the top-level object are rejected, and
// every turn and word must have its start and end. The decoded transcript must
// then pass [Transcript.Validate]. Errors are *Error values located at paths
// such as "transcript.turns[3].words[2].start".
func ParseTranscript(data []byte) (Transcript, error) {
	const path = "transcript"
	if len(data) > MaxTranscriptBytes {
		return Transcript{}, errorf(path, "document is larger than %d bytes", MaxTranscriptBytes)
	}
	if off := invalidUTF8(data); off >= 0 {
		line, col := position(data, off)
		return Transcript{}, errorf(path, "invalid UTF-8 at line %d, column %d", line, col)
	}
	var w wireTranscript
	if err := decodeStrict(data, '{', &w); err != nil {
		if located := locateTranscriptError(data); located != nil {
			return Transcript{}, located.in(path)
		}
		return Transcript{}, err.in(path)
	}
	if len(w.Turns) > MaxTurns {
		return Transcript{}, errorf(path+".turns", "more than %d turns", MaxTurns)
	}
	t := Transcript{Turns: make([]Turn, len(w.Turns))}
	for i, wt := range w.Turns {
		if wt == nil {
			return Transcript{}, errorf(index(path+".turns", i), "must be a JSON object")
		}
		turn, err := wt.turn()
		if err != nil {
			return Transcript{}, err.in(index(path+".turns", i))
		}
		t.Turns[i] = turn
	}
	if err := t.Validate(); err != nil {
		return Transcript{}, err
	}
	return t, nil
}

// turn converts w, reporting a missing time with a Field relative to the turn.
func (w *wireTurn) turn() (Turn, *Error) {
	start, end, err := requireTimes(w.Start, w.End)
	if err != nil {
		return Turn{}, err
	}
	turn := Turn{Speaker: w.Speaker, Start: start, End: end, Text: w.Text}
	if len(w.Words) > 0 {
		turn.Words = make([]Word, len(w.Words))
	}
	for j, ww := range w.Words {
		if ww == nil {
			return Turn{}, errorf(index("words", j), "must be a JSON object")
		}
		start, end, err := requireTimes(ww.Start, ww.End)
		if err != nil {
			return Turn{}, err.in(index("words", j))
		}
		turn.Words[j] = Word{Word: ww.Word, Start: start, End: end}
	}
	return turn, nil
}

// requireTimes returns *start and *end, or an error naming the missing one.
func requireTimes(start, end *float64) (float64, float64, *Error) {
	switch {
	case start == nil:
		return 0, 0, errorf("start", "missing")
	case end == nil:
		return 0, 0, errorf("end", "missing")
	}
	return *start, *end, nil
}

// locateTranscriptError decodes data one level at a time and returns the
// first decoding error, with a Field relative to the transcript that names its
// turn and word, or nil if there is none.
func locateTranscriptError(data []byte) *Error {
	var st shallowTranscript
	if err := decodeStrict(data, '{', &st); err != nil {
		return err
	}
	for i, raw := range st.Turns {
		var turn shallowTurn
		if err := decodeStrict(raw, '{', &turn); err != nil {
			return err.in(index("turns", i))
		}
		for j, raw := range turn.Words {
			var word wireWord
			if err := decodeStrict(raw, '{', &word); err != nil {
				return err.in(index("words", j)).in(index("turns", i))
			}
		}
	}
	return nil
}

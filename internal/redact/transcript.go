package redact

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Transcript is Confide's transcript of a call: speaker turns in time order,
// each optionally with word timings. It mirrors the JSON of the content
// package so that this package stays a leaf:
//
//	{"turns": [{"speaker": "agent", "start": 0.5, "end": 2.1, "text": "…",
//	            "words": [{"word": "…", "start": 0.5, "end": 0.8}]}]}
type Transcript struct {
	Turns []Turn `json:"turns"`
}

// Turn is one speaker's stretch of speech; times are seconds from the start
// of the recording. Each word of Words occurs in Text, in order.
type Turn struct {
	Speaker string  `json:"speaker"`
	Start   float64 `json:"start"`
	End     float64 `json:"end"`
	Text    string  `json:"text"`
	Words   []Word  `json:"words,omitempty"`
}

// Word is one recognised word and when it was spoken.
type Word struct {
	Word  string  `json:"word"`
	Start float64 `json:"start"`
	End   float64 `json:"end"`
}

// RedactTranscript redacts a call transcript or a chat (turns without word
// timings). Context carries across turns: the agent's prompt raises the
// prior for the customer's answer, and a number split across turns by
// backchannels is found as one entity.
//
// In the returned transcript each redacted stretch of a turn's words is
// replaced by one word holding the replacement text, timed from the first
// covered word's start to the last one's end. Spans locate every redacted
// stretch by turn, byte offsets into the input turn's text, word indices
// into the input turn's words and audio times; a span whose words could not
// be aligned has WordStart -1 (see [CheckAligned]).
func (r *Redactor) RedactTranscript(t Transcript) (Transcript, []Span, error) {
	texts := make([]string, len(t.Turns))
	for i, turn := range t.Turns {
		texts[i] = turn.Text
		if strings.TrimSpace(turn.Text) == "" && len(turn.Words) > 0 {
			ws := make([]string, len(turn.Words))
			for k, w := range turn.Words {
				ws[k] = w.Word
			}
			texts[i] = strings.Join(ws, " ")
		}
	}
	d, err := joinSegments(len(texts), func(i int) (string, string) { return texts[i], t.Turns[i].Speaker })
	if err != nil {
		return Transcript{}, nil, err
	}
	w := r.workspace()
	defer r.release(w)
	outTexts, spans, _ := r.render(w, d, r.detect(w, d), make([]string, len(d.segs)), true)
	repls := w.repls
	out := Transcript{Turns: make([]Turn, len(t.Turns))}
	byTurn := make([][]int, len(t.Turns))
	for k := range spans {
		byTurn[spans[k].Turn] = append(byTurn[spans[k].Turn], k)
	}
	for i, turn := range t.Turns {
		nt := turn
		nt.Text = outTexts[i]
		if len(turn.Words) > 0 {
			nt.Words = redactWords(texts[i], turn.Words, spans, byTurn[i], repls)
		}
		out.Turns[i] = nt
	}
	return out, spans, nil
}

// redactWords aligns words to text, fills in the word indices and times of
// the turn's spans, and returns the words with each span's words replaced by
// one word carrying the span's replacement.
func redactWords(text string, words []Word, spans []Span, idx []int, repls []string) []Word {
	pos := alignWords(text, words)
	if len(idx) == 0 {
		return append([]Word(nil), words...)
	}
	for _, k := range idx {
		s := &spans[k]
		w0, w1 := -1, -1
		for w, p := range pos {
			if p.start < 0 {
				w0, w1 = -1, -1
				break
			}
			if p.end > s.Start && p.start < s.End {
				if w0 < 0 {
					w0 = w
				}
				w1 = w + 1
			}
		}
		if w0 >= 0 {
			s.WordStart, s.WordEnd = w0, w1
			s.StartTime, s.EndTime = words[w0].Start, words[w1-1].End
		}
	}
	// Build the output words: uncovered words are kept; each span's words
	// become one word holding the span's replacement text.
	out := make([]Word, 0, len(words))
	for w := 0; w < len(words); {
		covered := -1
		for n, k := range idx {
			if spans[k].WordStart == w {
				covered = n
				break
			}
		}
		if covered < 0 {
			if inAnySpan(w, spans, idx) {
				w++
				continue
			}
			out = append(out, words[w])
			w++
			continue
		}
		s := spans[idx[covered]]
		out = append(out, Word{Word: repls[idx[covered]], Start: s.StartTime, End: s.EndTime})
		w = s.WordEnd
	}
	return out
}

// inAnySpan reports whether word w is inside one of the aligned spans.
func inAnySpan(w int, spans []Span, idx []int) bool {
	for _, k := range idx {
		if spans[k].WordStart >= 0 && w >= spans[k].WordStart && w < spans[k].WordEnd {
			return true
		}
	}
	return false
}

// wordPos is a word's byte range in its turn's text, or start -1 if it could
// not be aligned.
type wordPos struct{ start, end int }

// alignWords finds each word in text after the previous one, ignoring case
// and surrounding punctuation; words that cannot be found get start -1.
func alignWords(text string, words []Word) []wordPos {
	pos := make([]wordPos, len(words))
	at := 0
	lower := strings.ToLower(text)
	if len(lower) != len(text) {
		lower = text // case folding changed byte lengths: match exactly
	}
	for i, w := range words {
		needle := strings.ToLower(strings.TrimFunc(w.Word, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) }))
		if needle == "" || !utf8.ValidString(needle) {
			pos[i] = wordPos{-1, -1}
			continue
		}
		k := strings.Index(lower[at:], needle)
		if k < 0 {
			pos[i] = wordPos{-1, -1}
			continue
		}
		pos[i] = wordPos{at + k, at + k + len(needle)}
		at += k + len(needle)
	}
	return pos
}

package records

import (
	"slices"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/content"
	"github.com/confide-cc/confide/internal/redact"
)

// Redaction summarizes what was removed from an interaction before it was
// stored: how many of each entity type (never the values), and the audio
// time ranges of redacted words, for silencing the recording.
type Redaction struct {
	Counts map[redact.EntityType]int `json:"counts"`
	// AudioSpans are [start, end] times in seconds of redacted transcript
	// words, merged and sorted.
	AudioSpans [][2]float64 `json:"audio_spans,omitempty"`
}

// redactContent removes personal and card data from every free-text part
// of doc in place: transcript turns (with their words), chat and SMS
// messages (redacted as one dialogue, so context and numbers split across
// messages carry), and an email's subject and bodies.
func (s *Service) redactContent(doc *Content) error {
	counts := redact.Counts{}
	add := func(c redact.Counts) {
		for k, v := range c {
			counts[k] += v
		}
	}
	var audio [][2]float64
	switch {
	case doc.Transcript != nil:
		out, spans, err := s.redactor.RedactTranscript(redact.Transcript{Turns: transcriptTurns(doc.Transcript)})
		if err != nil {
			return apperr.Wrap(err, "redaction failed")
		}
		for i, t := range out.Turns {
			ct := &doc.Transcript.Turns[i]
			ct.Text = t.Text
			ct.Words = ct.Words[:0]
			for _, w := range t.Words {
				ct.Words = append(ct.Words, content.Word{Word: w.Word, Start: w.Start, End: w.End})
			}
			if len(ct.Words) == 0 {
				ct.Words = nil
			}
		}
		for _, sp := range spans {
			if sp.WordStart >= 0 {
				audio = append(audio, [2]float64{sp.StartTime, sp.EndTime})
			}
		}
		// Split entities share an Entity number: count entities, not parts.
		counts = countEntities(spans)
	case doc.Messages != nil:
		out, spans, err := s.redactor.RedactTranscript(redact.Transcript{Turns: messageTurns(doc.Messages)})
		if err != nil {
			return apperr.Wrap(err, "redaction failed")
		}
		for i := range doc.Messages {
			doc.Messages[i].Text = out.Turns[i].Text
		}
		counts = countEntities(spans)
	case doc.Email != nil:
		e := doc.Email
		texts, c, err := s.redactor.RedactFields(e.Subject, e.TextBody, e.HTMLBody)
		if err != nil {
			return apperr.Wrap(err, "redaction failed")
		}
		e.Subject, e.TextBody, e.HTMLBody = texts[0], texts[1], texts[2]
		add(c)
		// A display name in an address header is a person's name by
		// construction: it is replaced outright. The addresses stay (they
		// route the conversation) and are sealed like everything else.
		for _, list := range [][]content.Address{e.From, e.To, e.Cc} {
			for i := range list {
				if list[i].Name != "" {
					list[i].Name = "[" + string(redact.Person) + "]"
					counts[redact.Person]++
				}
			}
		}
	}
	doc.Redaction = &Redaction{Counts: counts, AudioSpans: mergeSpans(audio)}
	return nil
}

// transcriptTurns presents a call transcript, with its word timings, to
// the redactor.
func transcriptTurns(t *content.Transcript) []redact.Turn {
	turns := make([]redact.Turn, len(t.Turns))
	for i, ct := range t.Turns {
		rt := redact.Turn{Speaker: ct.Speaker, Start: ct.Start, End: ct.End, Text: ct.Text}
		for _, w := range ct.Words {
			rt.Words = append(rt.Words, redact.Word{Word: w.Word, Start: w.Start, End: w.End})
		}
		turns[i] = rt
	}
	return turns
}

// messageTurns presents chat or SMS messages to the redactor as one
// dialogue: the agent's messages are agent turns, everyone else's customer
// turns, so prompts and numbers split across messages carry.
func messageTurns(msgs []content.Message) []redact.Turn {
	turns := make([]redact.Turn, len(msgs))
	for i, m := range msgs {
		speaker := content.SpeakerCustomer
		if m.From == content.SpeakerAgent {
			speaker = content.SpeakerAgent
		}
		turns[i] = redact.Turn{Speaker: speaker, Text: m.Text}
	}
	return turns
}

// countEntities counts entities (parts of one split entity share a number).
func countEntities(spans []redact.Span) map[redact.EntityType]int {
	seen := map[int]bool{}
	out := map[redact.EntityType]int{}
	for _, sp := range spans {
		if !seen[sp.Entity] {
			seen[sp.Entity] = true
			out[sp.Type]++
		}
	}
	return out
}

func mergeSpans(in [][2]float64) [][2]float64 {
	if len(in) == 0 {
		return nil
	}
	slices.SortFunc(in, func(a, b [2]float64) int {
		switch {
		case a[0] < b[0]:
			return -1
		case a[0] > b[0]:
			return 1
		}
		return 0
	})
	out := [][2]float64{in[0]}
	for _, s := range in[1:] {
		last := &out[len(out)-1]
		if s[0] <= last[1] {
			last[1] = max(last[1], s[1])
			continue
		}
		out = append(out, s)
	}
	return out
}

// redactReason removes personal data an agent may have typed into a
// free-text reason before it goes into the audit log.
func (s *Service) redactReason(reason string) (string, error) {
	out, _, err := s.redactor.RedactFields(reason)
	if err != nil {
		return "", apperr.Wrap(err, "redaction failed")
	}
	return out[0], nil
}

// total is the number of entities removed.
func (r *Redaction) total() int {
	n := 0
	for _, c := range r.Counts {
		n += c
	}
	return n
}

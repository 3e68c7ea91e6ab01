package content

import (
	"encoding/json"
	"time"
)

// Limits on chat and SMS messages. docs/TRANSCRIPT-FORMAT.md states the same
// numbers.
const (
	// MaxMessagesBytes is the largest JSON document ParseMessages accepts.
	MaxMessagesBytes = 32 << 20
	// MaxMessages is the most messages one interaction may have.
	MaxMessages = 100_000
	// MaxMessageTextBytes is the longest a message's text may be.
	MaxMessageTextBytes = 64 << 10
	// MaxMessagesTextBytes is the most text all messages together may hold.
	MaxMessagesTextBytes = 4 << 20
	// MaxFromBytes is the longest a message's sender may be.
	MaxFromBytes = 256
)

// Message is one chat or SMS message.
type Message struct {
	// From identifies the sender as the channel knows them: a role such as
	// "agent" or "customer", a display name or a phone number. It is
	// customer data like Text.
	From string    `json:"from"`
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// ValidateMessages reports the first rule of docs/TRANSCRIPT-FORMAT.md that
// msgs breaks, as an *Error located at "messages[i]...", or nil if they are
// valid:
//
//   - there is at least one message and at most [MaxMessages];
//   - each From is non-blank valid UTF-8 without control characters and at
//     most [MaxFromBytes];
//   - each At is set, with a year from 1 to 9999, and no earlier than the
//     previous message's;
//   - each Text is non-blank valid UTF-8 without NUL, at most
//     [MaxMessageTextBytes], and all texts together at most
//     [MaxMessagesTextBytes].
func ValidateMessages(msgs []Message) error {
	const path = "messages"
	switch {
	case len(msgs) == 0:
		return errorf(path, "at least one message is required")
	case len(msgs) > MaxMessages:
		return errorf(path, "more than %d messages", MaxMessages)
	}
	total := 0
	for i, m := range msgs {
		if err := m.check(); err != nil {
			return err.in(index(path, i))
		}
		if i > 0 && m.At.Before(msgs[i-1].At) {
			return errorf(index(path, i)+".at", "before the previous message")
		}
		total += len(m.Text)
		if total > MaxMessagesTextBytes {
			return errorf(path, "text of all messages together is longer than %d bytes", MaxMessagesTextBytes)
		}
	}
	return nil
}

// check validates m on its own; the error's Field is relative to the message.
func (m Message) check() *Error {
	switch {
	case isBlank(m.From):
		return errorf("from", "empty")
	case textProblem(m.From, MaxFromBytes) != "":
		return errorf("from", "%s", textProblem(m.From, MaxFromBytes))
	case hasControl(m.From):
		return errorf("from", "contains a control character")
	case m.At.IsZero():
		return errorf("at", "missing")
	case m.At.Year() < 1 || m.At.Year() > 9999:
		return errorf("at", "year outside 1 to 9999")
	case isBlank(m.Text):
		return errorf("text", "empty")
	}
	if p := textProblem(m.Text, MaxMessageTextBytes); p != "" {
		return errorf("text", "%s", p)
	}
	return nil
}

// wireMessage holds At undecoded so that a bad time can be reported without
// time.ParseError, whose message quotes the input.
type wireMessage struct {
	From string          `json:"from"`
	At   json.RawMessage `json:"at"`
	Text string          `json:"text"`
}

// ParseMessages decodes a JSON array of messages strictly, as ParseTranscript
// decodes a transcript, and validates it with [ValidateMessages]. Each "at"
// must be an RFC 3339 date-time with a time zone offset, such as
// "2025-03-01T14:05:09.250Z".
func ParseMessages(data []byte) ([]Message, error) {
	const path = "messages"
	if len(data) > MaxMessagesBytes {
		return nil, errorf(path, "document is larger than %d bytes", MaxMessagesBytes)
	}
	if off := invalidUTF8(data); off >= 0 {
		line, col := position(data, off)
		return nil, errorf(path, "invalid UTF-8 at line %d, column %d", line, col)
	}
	var raws []json.RawMessage
	if err := decodeStrict(data, '[', &raws); err != nil {
		return nil, err.in(path)
	}
	if len(raws) > MaxMessages {
		return nil, errorf(path, "more than %d messages", MaxMessages)
	}
	msgs := make([]Message, len(raws))
	for i, raw := range raws {
		m, err := parseMessage(raw)
		if err != nil {
			return nil, err.in(index(path, i))
		}
		msgs[i] = m
	}
	if err := ValidateMessages(msgs); err != nil {
		return nil, err
	}
	return msgs, nil
}

// parseMessage decodes one message; the error's Field is relative to it.
func parseMessage(data []byte) (Message, *Error) {
	var w wireMessage
	if err := decodeStrict(data, '{', &w); err != nil {
		return Message{}, err
	}
	at, err := parseTime(w.At)
	if err != nil {
		return Message{}, err.in("at")
	}
	return Message{From: w.From, At: at, Text: w.Text}, nil
}

// parseTime decodes the JSON value raw as an RFC 3339 date-time; the error's
// Field is relative to the value.
func parseTime(raw json.RawMessage) (time.Time, *Error) {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, errorf("", "missing")
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return time.Time{}, errorf("", "must be a string")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, errorf("", "must be an RFC 3339 date-time with a time zone offset")
	}
	return t, nil
}

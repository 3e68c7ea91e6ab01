package redact_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/redact"
)

func stream(t *testing.T, r *redact.Redactor, in string) (string, redact.Counts, error) {
	t.Helper()
	var out bytes.Buffer
	c, err := r.RedactStream(context.Background(), strings.NewReader(in), &out)
	return out.String(), c, err
}

func TestStreamMatchesText(t *testing.T) {
	r := newRedactor(t, redact.Config{})
	in := "agent: can I have the card number\ncustomer: 4111 1111 1111 1111\nagent: and the cvv\ncustomer: 123\nno newline at the end"
	got, counts, err := stream(t, r, in)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := r.RedactText(in)
	if got != want.Text || counts.Total() != 2 {
		t.Fatalf("stream = %q (%v), text = %q", got, counts, want.Text)
	}
}

func TestStreamManyChunks(t *testing.T) {
	r := newRedactor(t, redact.Config{})
	line := "customer: my card is 4111 1111 1111 1111 and my email is jane@example.com, thanks!\n"
	const n = 20000 // about 1.7 MB: many chunks
	got, counts, err := stream(t, r, strings.Repeat(line, n))
	if err != nil {
		t.Fatal(err)
	}
	if counts[redact.CardNumber] != n || counts[redact.Email] != n {
		t.Fatalf("counts = %v, want %d cards and emails", counts, n)
	}
	want := strings.Repeat("customer: my card is [CARD_NUMBER] and my email is [EMAIL], thanks!\n", n)
	if got != want {
		t.Fatal("streamed output differs from the line-by-line redaction")
	}
}

func TestStreamLongLine(t *testing.T) {
	r := newRedactor(t, redact.Config{})
	// 3 MB without a newline, with a card every 100 bytes.
	unit := "word word word word word word word word word word word 4111 1111 1111 1111 word word word words.. "
	in := strings.Repeat(unit, 3<<20/len(unit))
	got, counts, err := stream(t, r, in)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got, "4111 1111") || counts[redact.CardNumber] != 3<<20/len(unit) {
		t.Fatalf("long line: %d cards redacted, want %d", counts[redact.CardNumber], 3<<20/len(unit))
	}
}

func TestStreamInvalidUTF8NamesLine(t *testing.T) {
	r := newRedactor(t, redact.Config{})
	_, _, err := stream(t, r, "one\ntwo\nthree \xff\nfour\n")
	if !errors.Is(err, redact.ErrInvalidUTF8) || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("err = %v, want invalid UTF-8 at line 3", err)
	}
}

func TestStreamCanceled(t *testing.T) {
	r := newRedactor(t, redact.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	if _, err := r.RedactStream(ctx, strings.NewReader("some text\n"), &out); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

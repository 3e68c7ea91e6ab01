package content_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/content"
)

// transcriptOfSize returns a valid transcript JSON document, with word
// timings, of at least size bytes.
func transcriptOfSize(size int) []byte {
	vocabulary := strings.Fields("yes my card number is four one one one and the expiry is twelve twenty six thank you")
	rng := rand.New(rand.NewPCG(1, 2))
	var tr content.Transcript
	at := 0.0
	for {
		speaker := content.SpeakerAgent
		if len(tr.Turns)%2 == 1 {
			speaker = content.SpeakerCustomer
		}
		turn := content.Turn{Speaker: speaker, Start: at}
		var words []string
		for range 4 + rng.IntN(8) {
			w := vocabulary[rng.IntN(len(vocabulary))]
			words = append(words, w)
			turn.Words = append(turn.Words, content.Word{Word: w, Start: at, End: at + 0.3})
			at += 0.35
		}
		turn.Text = strings.Join(words, " ") + "."
		turn.End = at
		tr.Turns = append(tr.Turns, turn)
		data, err := json.Marshal(tr)
		if err != nil {
			panic(err)
		}
		if len(data) >= size {
			return data
		}
	}
}

func BenchmarkParseTranscript(b *testing.B) {
	data := transcriptOfSize(4 << 10)
	if _, err := content.ParseTranscript(data); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := content.ParseTranscript(data); err != nil {
			b.Fatal(err)
		}
	}
}

// emailOfSize returns a multipart/mixed message of about size bytes: a
// multipart/alternative text and HTML body and a base64 attachment that
// takes up the rest.
func emailOfSize(size int) []byte {
	text := strings.Repeat("Hello, my parcel has not arrived and my card was charged twice.\n", 20)
	var sb strings.Builder
	fmt.Fprintf(&sb, "From: Jane Customer <jane@example.com>\r\nTo: support@example.net\r\n"+
		"Subject: =?UTF-8?Q?Parcel_n=C2=B0_88412?=\r\nDate: Tue, 4 Mar 2025 09:15:02 +0100\r\n"+
		"Message-ID: <bench@example.com>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/mixed; boundary=\"mixed\"\r\n\r\n"+
		"--mixed\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n"+
		"--alt\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n%s\r\n"+
		"--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>%s</p>\r\n--alt--\r\n"+
		"--mixed\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"receipt.pdf\"\r\n"+
		"Content-Transfer-Encoding: base64\r\n\r\n", text, text)
	attachment := make([]byte, (size-sb.Len())*3/4)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range attachment {
		attachment[i] = byte(rng.Uint32())
	}
	encoded := base64.StdEncoding.EncodeToString(attachment)
	for len(encoded) > 76 {
		sb.WriteString(encoded[:76] + "\r\n")
		encoded = encoded[76:]
	}
	sb.WriteString(encoded + "\r\n--mixed--\r\n")
	return []byte(sb.String())
}

func BenchmarkParseEmail(b *testing.B) {
	raw := emailOfSize(100 << 10)
	e, err := content.ParseEmail(raw, content.EmailLimits{})
	if err != nil || len(e.Attachments) != 1 || e.TextBody == "" || e.HTMLBody == "" {
		b.Fatalf("benchmark message does not parse as intended: %v", err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := content.ParseEmail(raw, content.EmailLimits{}); err != nil {
			b.Fatal(err)
		}
	}
}

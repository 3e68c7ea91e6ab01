package cli_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/cli"
	"github.com/confide-cc/confide/internal/redact"
	"github.com/confide-cc/confide/internal/redact/audio"
)

// confide runs the CLI with stdin and returns stdout, stderr and the exit code.
func confide(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func TestRedactText(t *testing.T) {
	out, stderr, code := confide(t, "card 4111 1111 1111 1111, cvv 123\nemail j dot smith at gmail dot com\n", "redact")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "card [CARD_NUMBER], cvv [CARD_CVV]\nemail [EMAIL]\n"
	if out != want {
		t.Fatalf("got %q, want %q", out, want)
	}
}

func TestRedactOperators(t *testing.T) {
	out, stderr, code := confide(t, "card 4111 1111 1111 1111 cvv 123", "redact", "--operator", "mask")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want := "card ************1111 cvv [CARD_CVV]"; out != want {
		t.Fatalf("got %q, want %q (CVV always removed)", out, want)
	}
	keyFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(keyFile, bytes.Repeat([]byte("k"), 32), 0o600); err != nil {
		t.Fatal(err)
	}
	out1, _, _ := confide(t, "my name is Sarah Johnson", "redact", "--operator", "PERSON=pseudonym", "--key-file", keyFile)
	out2, _, _ := confide(t, "my name is sarah johnson", "redact", "--operator", "PERSON=pseudonym", "--key-file", keyFile)
	if out1 != out2 || strings.Contains(out1, "Sarah") || !strings.HasPrefix(out1, "my name is ") {
		t.Fatalf("pseudonyms %q and %q: want the same fake name for the same person", out1, out2)
	}
}

func TestRedactJSONL(t *testing.T) {
	in := `{"id": 7, "body": "call me at (415) 555-2671", "lang": "en"}` + "\n\n" + `{"id": 8, "body": "nothing here"}` + "\n"
	out, stderr, code := confide(t, in, "redact", "--jsonl", "--field", "body", "--spans")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3 || lines[1] != "" {
		t.Fatalf("got %d lines: %q", len(lines), out)
	}
	var rec struct {
		ID     int                `json:"id"`
		Body   string             `json:"body"`
		Lang   string             `json:"lang"`
		Spans  []redact.Span      `json:"spans"`
		Counts map[string]float64 `json:"counts"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.ID != 7 || rec.Lang != "en" || rec.Body != "call me at [PHONE]" || len(rec.Spans) != 1 || rec.Counts["PHONE"] != 1 {
		t.Fatalf("record = %+v", rec)
	}
}

func TestRedactBadInput(t *testing.T) {
	cases := []struct {
		name, stdin string
		args        []string
		code        int
		msg         string
	}{
		{"malformed JSON line", "{\"text\": \"ok\"}\n{\"text\": oops}\n", []string{"--jsonl"}, 1, "line 2"},
		{"missing field", "{\"body\": \"x\"}\n", []string{"--jsonl"}, 1, `line 1: no field "text"`},
		{"field not a string", "{\"text\": 5}\n", []string{"--jsonl"}, 1, "not a string"},
		{"invalid UTF-8 in JSONL", "{\"text\": \"ok\"}\n{\"text\": \"\xff\"}\n", []string{"--jsonl"}, 1, "line 2: invalid UTF-8"},
		{"invalid UTF-8 in text", "fine\nstill fine\nbad \xfe\n", nil, 1, "line 3"},
		{"malformed transcript", `{"turns": [`, []string{"--format", "transcript"}, 1, "invalid JSON"},
		{"unknown entity", "", []string{"--entities", "CARD,SSN"}, 2, `unknown entity type "CARD"`},
		{"unknown operator", "", []string{"--operator", "shred"}, 2, `unknown operator "shred"`},
		{"keyed operator without key", "", []string{"--operator", "hash"}, 2, "key"},
		{"unknown format", "", []string{"--format", "xml"}, 2, "unknown --format"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, code := confide(t, c.stdin, append([]string{"redact"}, c.args...)...)
			if code != c.code || !strings.Contains(stderr, c.msg) {
				t.Fatalf("exit %d, stderr %q; want exit %d mentioning %q", code, stderr, c.code, c.msg)
			}
		})
	}
}

// callTranscript is a transcript whose customer reads a card number across
// two turns, with word timings.
func callTranscript() redact.Transcript {
	turn := func(speaker string, start float64, text string) redact.Turn {
		tu := redact.Turn{Speaker: speaker, Start: start, Text: text}
		at := start
		for w := range strings.FieldsSeq(text) {
			tu.Words = append(tu.Words, redact.Word{Word: strings.Trim(w, ",.?"), Start: at, End: at + 0.3})
			at += 0.4
		}
		tu.End = at
		return tu
	}
	return redact.Transcript{Turns: []redact.Turn{
		turn("agent", 0.5, "can I have the card number please?"),
		turn("customer", 3.5, "sure it's four one one one one one one one"),
		turn("agent", 7.5, "mhm"),
		turn("customer", 8.5, "one one one one one one one one"),
		turn("agent", 12.5, "thank you"),
	}}
}

func TestRedactTranscriptFormat(t *testing.T) {
	in, _ := json.Marshal(callTranscript())
	out, stderr, code := confide(t, string(in), "redact", "--format", "transcript", "--spans")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Turns []redact.Turn `json:"turns"`
		Spans []redact.Span `json:"spans"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Turns[1].Text != "sure it's [CARD_NUMBER]" || got.Turns[3].Text != "[CARD_NUMBER]" || got.Turns[2].Text != "mhm" {
		t.Fatalf("turns = %+v", got.Turns)
	}
	if len(got.Spans) != 2 || got.Spans[0].Entity != got.Spans[1].Entity || got.Spans[0].WordStart != 2 {
		t.Fatalf("spans = %+v", got.Spans)
	}
}

func TestRedactAudio(t *testing.T) {
	dir := t.TempDir()
	tr := callTranscript()
	tb, _ := json.Marshal(tr)
	trPath := filepath.Join(dir, "call.json")
	inPath, outPath := filepath.Join(dir, "in.wav"), filepath.Join(dir, "out.wav")
	samples := bytes.Repeat([]byte{0x2A}, 8000*14) // 14 s of a constant µ-law code
	orig := audio.Write(audio.MuLaw, 1, 8000, samples)
	must(t, os.WriteFile(trPath, tb, 0o600))
	must(t, os.WriteFile(inPath, orig, 0o600))

	_, stderr, code := confide(t, "", "redact-audio", "--transcript", trPath, inPath, outPath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, err := os.ReadFile(outPath)
	must(t, err)
	info, err := audio.Parse(got)
	must(t, err)
	// The card's words are words 2–9 of turn 1 and all of turn 3; with 150 ms
	// padding on each side, audio there is silence. The agent's "mhm" between
	// them, and everything else, is unchanged.
	spans := [][2]float64{
		{tr.Turns[1].Words[2].Start - 0.15, tr.Turns[1].Words[9].End + 0.15},
		{tr.Turns[3].Words[0].Start - 0.15, tr.Turns[3].Words[7].End + 0.15},
	}
	for i := range info.DataSize {
		sec := float64(i) / 8000
		b := got[info.DataOffset+i]
		inside, outside := false, true
		for _, s := range spans {
			inside = inside || sec > s[0]+0.001 && sec < s[1]-0.001
			outside = outside && (sec < s[0]-0.001 || sec > s[1]+0.001)
		}
		if inside && b != 0xFF || outside && b != 0x2A {
			t.Fatalf("sample at %.3fs = %#x", sec, b)
		}
	}
	if !bytes.Equal(got[:info.DataOffset], orig[:info.DataOffset]) {
		t.Fatal("header changed")
	}
}

func TestRedactAudioFailsLoudly(t *testing.T) {
	dir := t.TempDir()
	noWords := callTranscript()
	for i := range noWords.Turns {
		noWords.Turns[i].Words = nil
	}
	tb, _ := json.Marshal(noWords)
	noWordsPath := filepath.Join(dir, "nowords.json")
	must(t, os.WriteFile(noWordsPath, tb, 0o600))
	tb, _ = json.Marshal(callTranscript())
	trPath := filepath.Join(dir, "call.json")
	must(t, os.WriteFile(trPath, tb, 0o600))
	good := filepath.Join(dir, "in.wav")
	must(t, os.WriteFile(good, audio.Write(audio.PCM16, 1, 8000, make([]byte, 2*8000*14)), 0o600))
	short := filepath.Join(dir, "short.wav")
	must(t, os.WriteFile(short, audio.Write(audio.PCM16, 1, 8000, make([]byte, 2*8000*2)), 0o600))
	mp3 := audio.Write(audio.PCM16, 1, 8000, make([]byte, 100))
	binary.LittleEndian.PutUint16(mp3[20:], 0x55)
	mp3Path := filepath.Join(dir, "mp3.wav")
	must(t, os.WriteFile(mp3Path, mp3, 0o600))

	for _, c := range []struct{ name, transcript, in, msg string }{
		{"no word timings", noWordsPath, good, "cannot be aligned to word timings"},
		{"span after the end of the audio", trPath, short, "cannot be aligned to the recording"},
		{"unsupported codec", trPath, mp3Path, "unsupported WAV: format tag 0x0055"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, c.name+".wav")
			_, stderr, code := confide(t, "", "redact-audio", "--transcript", c.transcript, c.in, out)
			if code != 1 || !strings.Contains(stderr, c.msg) {
				t.Fatalf("exit %d, stderr %q; want 1 mentioning %q", code, stderr, c.msg)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Fatal("output written despite the failure")
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// FuzzRedactJSONL drives the JSONL reader: any input gives exit 0 or 1 with
// a message naming the line, never a panic.
func FuzzRedactJSONL(f *testing.F) {
	f.Add("{\"text\": \"card 4111 1111 1111 1111\", \"id\": 1}\n{\"text\": \"x\"}\n")
	f.Add("{\"text\": 5}\n")
	f.Add("\n\n{}\n")
	f.Fuzz(func(t *testing.T, in string) {
		var out, errb bytes.Buffer
		code := cli.Main(context.Background(), []string{"redact", "--jsonl", "--spans"}, strings.NewReader(in), &out, &errb)
		switch code {
		case 0:
		case 1:
			if !strings.Contains(errb.String(), "line ") {
				t.Fatalf("error without a line number: %q", errb.String())
			}
		default:
			t.Fatalf("exit %d: %s", code, errb.String())
		}
	})
}

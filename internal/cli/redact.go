package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/confide-cc/confide/internal/redact"
	"github.com/confide-cc/confide/internal/redact/audio"
)

// Limits of the redact commands' inputs.
const (
	maxJSONLLine       = 16 << 20  // one JSONL record
	maxWholeInput      = 256 << 20 // text read whole (--spans) or a transcript
	maxAudioInputBytes = 2 << 30   // a WAV file
)

// redactFlags are the flags shared by `confide redact` and
// `confide redact-audio`.
type redactFlags struct {
	entities string
	operator string
	keyFile  string
	regions  string
}

func (f *redactFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.entities, "entities", "", "comma-separated entity types to detect (default all), e.g. CARD_NUMBER,SSN,EMAIL")
	fs.StringVar(&f.operator, "operator", "", "operator for all types (placeholder, mask, pseudonym, hash), and/or TYPE=OPERATOR pairs, comma-separated; CARD_CVV and PIN are always removed")
	fs.StringVar(&f.keyFile, "key-file", "", "file holding the key (at least 32 bytes) for the pseudonym and hash operators")
	fs.StringVar(&f.regions, "phone-regions", "", "comma-separated regions for national phone numbers (default "+strings.Join(redact.DefaultPhoneRegions, ",")+")")
}

// redactor builds the Redactor the flags describe.
func (f *redactFlags) redactor() (*redact.Redactor, error) {
	var cfg redact.Config
	for _, e := range splitRedactList(f.entities) {
		t, err := redact.ParseEntityType(e)
		if err != nil {
			return nil, err
		}
		cfg.Entities = append(cfg.Entities, t)
	}
	for _, o := range splitRedactList(f.operator) {
		name, op, pair := strings.Cut(o, "=")
		if !pair {
			parsed, err := redact.ParseOperator(o)
			if err != nil {
				return nil, err
			}
			cfg.DefaultOperator = parsed
			continue
		}
		t, err := redact.ParseEntityType(name)
		if err != nil {
			return nil, err
		}
		parsed, err := redact.ParseOperator(op)
		if err != nil {
			return nil, err
		}
		if cfg.Operators == nil {
			cfg.Operators = map[redact.EntityType]redact.Operator{}
		}
		cfg.Operators[t] = parsed
	}
	if f.keyFile != "" {
		key, err := os.ReadFile(f.keyFile)
		if err != nil {
			return nil, fmt.Errorf("reading the key file: %w", err)
		}
		cfg.Key = bytes.TrimSpace(key)
	}
	cfg.PhoneRegions = splitRedactList(f.regions)
	return redact.New(cfg)
}

func splitRedactList(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// runRedact implements `confide redact [flags]`: text on stdin, redacted
// text on stdout. Exit status 0 on success, 1 for bad input, 2 for bad flags.
func runRedact(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("redact", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: confide redact [flags] < input > output\n\nRedacts personal and card data from text on standard input.\n\nflags:")
		fs.PrintDefaults()
	}
	var rf redactFlags
	rf.register(fs)
	jsonl := fs.Bool("jsonl", false, "treat each input line as a JSON object and redact its text field, keeping the other fields")
	field := fs.String("field", "text", "with --jsonl, the field to redact")
	spans := fs.Bool("spans", false, "add the detected spans (types and offsets, never values) and counts to the output as JSON")
	format := fs.String("format", "text", "input format: text or transcript (Confide transcript JSON)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "confide redact: unexpected argument %q (input is read from standard input)\n", fs.Arg(0))
		return 2
	}
	r, err := rf.redactor()
	if err != nil {
		fmt.Fprintf(stderr, "confide redact: %v\n", err)
		return 2
	}
	switch {
	case *format == "transcript":
		err = redactTranscriptJSON(r, stdin, stdout, *spans)
	case *format != "text":
		fmt.Fprintf(stderr, "confide redact: unknown --format %q (want text or transcript)\n", *format)
		return 2
	case *jsonl:
		err = redactJSONL(ctx, r, stdin, stdout, *field, *spans)
	case *spans:
		err = redactWhole(r, stdin, stdout)
	default:
		_, err = r.RedactStream(ctx, stdin, stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "confide redact: %v\n", err)
		return 1
	}
	return 0
}

// spanOutput is the JSON written with --spans.
type spanOutput struct {
	Text   string        `json:"text"`
	Spans  []redact.Span `json:"spans"`
	Counts redact.Counts `json:"counts"`
}

func redactWhole(r *redact.Redactor, in io.Reader, out io.Writer) error {
	b, err := readRedactInput(in, maxWholeInput, "input")
	if err != nil {
		return err
	}
	res, err := r.RedactText(string(b))
	if err != nil {
		return err
	}
	return json.NewEncoder(out).Encode(spanOutput{res.Text, nonNilSpans(res.Spans), res.Counts})
}

func nonNilSpans(s []redact.Span) []redact.Span {
	if s == nil {
		return []redact.Span{}
	}
	return s
}

// redactJSONL redacts field of every JSON object line. Blank lines are kept.
func redactJSONL(ctx context.Context, r *redact.Redactor, in io.Reader, out io.Writer, field string, withSpans bool) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), maxJSONLLine)
	bw := bufio.NewWriter(out)
	line := 0
	for sc.Scan() {
		line++
		if line%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		b := sc.Bytes()
		if len(bytes.TrimSpace(b)) == 0 {
			bw.WriteByte('\n')
			continue
		}
		rec, err := redactRecord(r, b, field, withSpans)
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		bw.Write(rec)
		bw.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("line %d: longer than %d bytes", line+1, maxJSONLLine)
		}
		return err
	}
	return bw.Flush()
}

// redactRecord redacts one JSONL record, keeping its other fields.
func redactRecord(r *redact.Redactor, b []byte, field string, withSpans bool) ([]byte, error) {
	if !utf8.Valid(b) {
		return nil, errors.New("invalid UTF-8")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	raw, ok := obj[field]
	if !ok {
		return nil, fmt.Errorf("no field %q", field)
	}
	var text string
	if err := json.Unmarshal(raw, &text); err != nil {
		return nil, fmt.Errorf("field %q is not a string", field)
	}
	res, err := r.RedactText(text)
	if err != nil {
		return nil, err
	}
	if obj[field], err = json.Marshal(res.Text); err != nil {
		return nil, err
	}
	if withSpans {
		if obj["spans"], err = json.Marshal(nonNilSpans(res.Spans)); err != nil {
			return nil, err
		}
		if obj["counts"], err = json.Marshal(res.Counts); err != nil {
			return nil, err
		}
	}
	return json.Marshal(obj)
}

// transcriptOutput is the transcript written by --format transcript, with
// the spans when asked for.
type transcriptOutput struct {
	Turns []redact.Turn  `json:"turns"`
	Spans *[]redact.Span `json:"spans,omitempty"`
}

func redactTranscriptJSON(r *redact.Redactor, in io.Reader, out io.Writer, withSpans bool) error {
	t, err := readRedactTranscript(in)
	if err != nil {
		return err
	}
	red, spans, err := r.RedactTranscript(t)
	if err != nil {
		return err
	}
	o := transcriptOutput{Turns: red.Turns}
	if withSpans {
		spans = nonNilSpans(spans)
		o.Spans = &spans
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(o)
}

// readRedactTranscript decodes a transcript, rejecting unknown shapes with the
// byte offset of the problem.
func readRedactTranscript(in io.Reader) (redact.Transcript, error) {
	b, err := readRedactInput(in, maxWholeInput, "transcript")
	if err != nil {
		return redact.Transcript{}, err
	}
	if !utf8.Valid(b) {
		return redact.Transcript{}, errors.New("transcript: invalid UTF-8")
	}
	var t redact.Transcript
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return t, fmt.Errorf("transcript: invalid JSON at byte %d: %v", se.Offset, err)
		case errors.As(err, &te):
			return t, fmt.Errorf("transcript: field %q at byte %d: want %s, got %s", te.Field, te.Offset, te.Type, te.Value)
		}
		return t, fmt.Errorf("transcript: invalid JSON: %v", err)
	}
	if len(t.Turns) == 0 {
		return t, errors.New(`transcript: no turns (want {"turns": [{"speaker": …, "text": …}]})`)
	}
	return t, nil
}

func readRedactInput(in io.Reader, limit int64, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(in, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s larger than %d bytes", what, limit)
	}
	return b, nil
}

// runRedactAudio implements `confide redact-audio --transcript T.json IN.wav
// OUT.wav`: it redacts the transcript and silences (or tones over) every
// redacted span in the recording. It fails, writing nothing, if a span cannot
// be aligned to word timings or to the audio.
func runRedactAudio(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("redact-audio", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: confide redact-audio --transcript T.json IN.wav OUT.wav\n\nSilences the redacted spans of a call recording.\n\nflags:")
		fs.PrintDefaults()
	}
	var rf redactFlags
	rf.register(fs)
	transcript := fs.String("transcript", "", "the call's transcript with word timings (Confide transcript JSON); required")
	padding := fs.Duration("padding", audio.DefaultPadding, "audio removed before and after each span")
	fillName := fs.String("fill", "silence", "what replaces redacted audio: silence or tone")
	redactedTranscript := fs.String("redacted-transcript", "", "also write the redacted transcript to this file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *transcript == "" || fs.NArg() != 2 {
		fs.Usage()
		return 2
	}
	fill := audio.Silence
	switch *fillName {
	case "silence":
	case "tone":
		fill = audio.Tone
	default:
		fmt.Fprintf(stderr, "confide redact-audio: unknown --fill %q (want silence or tone)\n", *fillName)
		return 2
	}
	r, err := rf.redactor()
	if err != nil {
		fmt.Fprintf(stderr, "confide redact-audio: %v\n", err)
		return 2
	}
	pad := *padding
	if pad == 0 {
		pad = -1 // audio.Options treats 0 as the default
	}
	if err := redactAudioFiles(ctx, r, *transcript, fs.Arg(0), fs.Arg(1), *redactedTranscript, audio.Options{Padding: pad, Fill: fill}); err != nil {
		fmt.Fprintf(stderr, "confide redact-audio: %v\n", err)
		return 1
	}
	return 0
}

func redactAudioFiles(ctx context.Context, r *redact.Redactor, transcriptPath, inPath, outPath, redactedPath string, opts audio.Options) error {
	tf, err := os.Open(transcriptPath)
	if err != nil {
		return err
	}
	t, err := readRedactTranscript(tf)
	tf.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", transcriptPath, err)
	}
	red, spans, err := r.RedactTranscript(t)
	if err != nil {
		return fmt.Errorf("%s: %w", transcriptPath, err)
	}
	intervals := make([]audio.Interval, 0, len(spans))
	for _, s := range spans {
		if s.WordStart < 0 {
			return fmt.Errorf("%s: a %s span in turn %d (bytes %d–%d) cannot be aligned to word timings; refusing to pass the audio through",
				transcriptPath, s.Type, s.Turn, s.Start, s.End)
		}
		intervals = append(intervals, audio.Interval{Start: s.StartTime, End: s.EndTime})
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	in, err := os.Open(inPath)
	if err != nil {
		return err
	}
	b, err := readRedactInput(in, maxAudioInputBytes, inPath)
	in.Close()
	if err != nil {
		return err
	}
	info, err := audio.Parse(b)
	if err != nil {
		return fmt.Errorf("%s: %w", inPath, err)
	}
	if err := audio.Redact(b, info, intervals, opts); err != nil {
		return fmt.Errorf("%s: %w", inPath, err)
	}
	if redactedPath != "" {
		tb, err := json.MarshalIndent(red, "", "  ")
		if err != nil {
			return err
		}
		if err := writeRedactedFile(redactedPath, append(tb, '\n')); err != nil {
			return err
		}
	}
	return writeRedactedFile(outPath, b)
}

// writeRedactedFile writes b to path through a temporary file in the same
// directory, readable only by the owner, renamed into place.
func writeRedactedFile(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

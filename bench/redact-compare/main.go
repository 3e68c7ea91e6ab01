// Command redact-compare writes the seeded redaction corpus as JSON lines
// for other redactors to run on, and measures Confide's redactor on the same
// documents: MiB/s on one core and recall per entity type. run.sh drives it
// together with the npm redactors; see docs/REDACTION.md.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/confide-cc/confide/internal/redact"
	"github.com/confide-cc/confide/internal/redact/corpus"
)

// record is one document of corpus.jsonl.
type record struct {
	Text   string  `json:"text"`
	Labels []label `json:"labels"`
}

type label struct {
	Type string `json:"type"`
	Form string `json:"form"`
	Text string `json:"text"`
}

// result is one redactor's line of output, shared with compare.mjs.
type result struct {
	Name    string             `json:"name"`
	MiBs    float64            `json:"mib_s"`
	CPUMiBs float64            `json:"cpu_mib_s"` // per second of process CPU time
	Recall  float64            `json:"recall"`
	ByType  map[string]float64 `json:"by_type"`
	Spoken  float64            `json:"spoken_recall"`
	Bytes   int                `json:"bytes"`
	Seconds float64            `json:"seconds"`
}

func main() {
	out := flag.String("out", "", "directory to write corpus.jsonl into (required)")
	mib := flag.Int("mib", 4, "corpus size in MiB")
	seed := flag.Uint64("seed", 1, "corpus seed")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: redact-compare -out DIR [-mib N] [-seed S]")
		os.Exit(2)
	}
	runtime.GOMAXPROCS(1)
	recs := build(*seed, *mib<<20)
	if err := write(filepath.Join(*out, "corpus.jsonl"), recs); err != nil {
		fmt.Fprintln(os.Stderr, "redact-compare:", err)
		os.Exit(1)
	}
	res, err := measure(recs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "redact-compare:", err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(res)
}

// build generates documents until they hold size bytes of text.
func build(seed uint64, size int) []record {
	var recs []record
	total := 0
	for s := seed; total < size; s++ {
		for _, d := range corpus.Generate(s, 500) {
			var b strings.Builder
			offsets := make([]int, len(d.Turns))
			for i, t := range d.Turns {
				if i > 0 {
					b.WriteByte('\n')
				}
				offsets[i] = b.Len()
				b.WriteString(t.Text)
			}
			rec := record{Text: b.String(), Labels: []label{}}
			for _, l := range d.Labels {
				rec.Labels = append(rec.Labels, label{string(l.Type), l.Form, d.Turns[l.Turn].Text[l.Start:l.End]})
			}
			recs = append(recs, rec)
			total += len(rec.Text)
		}
	}
	return recs
}

func write(path string, recs []record) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// measure runs Confide on every document, as the npm redactors are run:
// one call per document, recall judged by whether a label's text survives.
func measure(recs []record) (result, error) {
	r, err := redact.New(redact.Config{})
	if err != nil {
		return result{}, err
	}
	outs := make([]string, len(recs))
	size := 0
	start, cpu := time.Now(), cpuTime()
	for i, rec := range recs {
		res, err := r.RedactText(rec.Text)
		if err != nil {
			return result{}, err
		}
		outs[i] = res.Text
		size += len(rec.Text)
	}
	secs, cpuSecs := time.Since(start).Seconds(), (cpuTime() - cpu).Seconds()
	res := score(recs, outs)
	res.Name, res.Bytes, res.Seconds = "confide", size, secs
	res.MiBs = float64(size) / (1 << 20) / secs
	res.CPUMiBs = float64(size) / (1 << 20) / cpuSecs
	return res, nil
}

// cpuTime returns the CPU time the process has used, which on a machine
// shared with other work says more about one core than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// score computes recall: a label is found when its text no longer appears
// in the redacted document.
func score(recs []record, outs []string) result {
	found, total := map[string]int{}, map[string]int{}
	spokenFound, spokenTotal := 0, 0
	for i, rec := range recs {
		for _, l := range rec.Labels {
			ok := !strings.Contains(outs[i], l.Text)
			total[l.Type]++
			if ok {
				found[l.Type]++
			}
			if strings.HasPrefix(l.Form, "spoken") || l.Form == "split" || l.Form == "homophone" {
				spokenTotal++
				if ok {
					spokenFound++
				}
			}
		}
	}
	res := result{ByType: map[string]float64{}}
	f, n := 0, 0
	for t, c := range total {
		res.ByType[t] = float64(found[t]) / float64(c)
		f, n = f+found[t], n+c
	}
	res.Recall = float64(f) / float64(n)
	res.Spoken = float64(spokenFound) / float64(max(spokenTotal, 1))
	return res
}

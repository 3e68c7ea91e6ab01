package app_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/confide-cc/confide/internal/identity"
)

// pattern returns n deterministic pseudo-random bytes.
func pattern(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestRecordingUploadAndRangePlayback(t *testing.T) {
	e := newEnv(t)
	cid := e.createCustomer(sampleCustomer())
	iid := e.createInteraction(callInteraction(cid))
	audio := pattern(300_000, 1) // several encryption segments
	path := "/api/v1/interactions/" + iid + "/recording"

	e.must(e.do(identity.RoleIntegration, "PUT", path, audio, "Content-Type", "audio/wav"), http.StatusCreated)
	if ev := e.lastAudit(); ev.Action != "recording.upload" || ev.Details["size"] != float64(len(audio)) {
		t.Errorf("upload audit = %+v", ev)
	}

	full := e.must(e.do(identity.RoleQAAnalyst, "GET", path, nil), 200)
	if !bytes.Equal(full.Body, audio) || full.Header.Get("Content-Type") != "audio/wav" || full.Header.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("full playback: %d bytes, type %q", len(full.Body), full.Header.Get("Content-Type"))
	}
	n := len(audio)
	tests := []struct {
		rng    string
		status int
		want   []byte
	}{
		{"bytes=0-0", 206, audio[:1]},
		{"bytes=65530-65545", 206, audio[65530:65546]},
		{"bytes=100000-", 206, audio[100000:]},
		{"bytes=-10", 206, audio[n-10:]},
		{fmt.Sprintf("bytes=%d-%d", n-1, n+100), 206, audio[n-1:]},
		{fmt.Sprintf("bytes=%d-", n), 416, nil},
		{"bytes=5-1", 416, nil},
		{"furlongs=0-1", 200, audio},
	}
	for _, tc := range tests {
		t.Run(tc.rng, func(t *testing.T) {
			r := e.do(identity.RoleAgent, "GET", path, nil, "Range", tc.rng)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d", r.Status, tc.status)
			}
			if tc.want != nil && !bytes.Equal(r.Body, tc.want) {
				t.Errorf("body %d bytes differs from the expected %d", len(r.Body), len(tc.want))
			}
			if tc.status == 416 && (r.errCode() != "range_not_satisfiable" || r.Header.Get("Content-Range") != fmt.Sprintf("bytes */%d", n)) {
				t.Errorf("416 answer: code %q, Content-Range %q", r.errCode(), r.Header.Get("Content-Range"))
			}
			if ev := e.lastAudit(); ev.Action != "recording.play" || ev.Details["range"] != tc.rng {
				t.Errorf("audit = %+v", ev)
			}
		})
	}
	multi := e.must(e.do(identity.RoleAgent, "GET", path, nil, "Range", "bytes=0-9,200000-200009"), 206)
	if !strings.HasPrefix(multi.Header.Get("Content-Type"), "multipart/byteranges") ||
		!bytes.Contains(multi.Body, audio[:10]) || !bytes.Contains(multi.Body, audio[200000:200010]) {
		t.Errorf("multi-range response wrong: %s", multi.Header.Get("Content-Type"))
	}

	// Replacing the recording keeps one, the newest.
	audio2 := pattern(1000, 2)
	e.must(e.do(identity.RoleIntegration, "PUT", path, audio2, "Content-Type", "audio/mpeg"), 201)
	if r := e.must(e.do(identity.RoleAgent, "GET", path, nil), 200); !bytes.Equal(r.Body, audio2) {
		t.Errorf("replacement not served")
	}
	if _, err := e.app.Records.CollectBlobs(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := countFiles(t, e.dataDir+"/blobs"); got != 1 {
		t.Errorf("%d blob files after replacement and collection, want 1", got)
	}
}

func TestRecordingUploadErrors(t *testing.T) {
	e := newEnv(t, "--max-recording-bytes", "100000")
	cid := e.createCustomer(sampleCustomer())
	iid := e.createInteraction(callInteraction(cid))
	path := "/api/v1/interactions/" + iid + "/recording"
	tests := []struct {
		name   string
		role   string
		path   string
		ctype  string
		body   []byte
		status int
	}{
		{"too large", identity.RoleIntegration, path, "audio/wav", pattern(100_001, 3), 413},
		{"not audio", identity.RoleIntegration, path, "application/json", []byte("{}"), 415},
		{"no content type", identity.RoleIntegration, path, "", []byte("RIFF"), 415},
		{"unknown interaction", identity.RoleIntegration, "/api/v1/interactions/0194f1d2-8a43-7c2e-9b3a-2f6d1c0e5a77/recording", "audio/wav", []byte("RIFF"), 404},
		{"agent may not upload", identity.RoleAgent, path, "audio/wav", []byte("RIFF"), 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(tc.role, "PUT", tc.path, tc.body, "Content-Type", tc.ctype)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
		})
	}
	e.must(e.do(identity.RoleAgent, "GET", path, nil), 404)
	if got := countFiles(t, e.dataDir+"/blobs"); got != 0 {
		t.Errorf("failed uploads left %d files in the blob directory", got)
	}
	// Exactly at the limit is fine.
	e.must(e.do(identity.RoleIntegration, "PUT", path, pattern(100_000, 4), "Content-Type", "audio/wav"), 201)
}

// failingReader yields n bytes, then fails like a client that disconnects.
type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, io.ErrUnexpectedEOF
	}
	k := min(len(p), f.n)
	f.n -= k
	return k, nil
}

func TestRecordingInterruptedUploadLeavesNothing(t *testing.T) {
	e := newEnv(t)
	cid := e.createCustomer(sampleCustomer())
	iid := e.createInteraction(callInteraction(cid))
	pb, err := e.app.Records.UploadRecording(ctxAs(identity.RoleIntegration), iid, "audio/wav", &failingReader{n: 200_000})
	if err == nil {
		t.Fatalf("interrupted upload succeeded: %+v", pb)
	}
	if got := countFiles(t, e.dataDir+"/blobs"); got != 0 {
		t.Errorf("interrupted upload left %d files", got)
	}
	e.must(e.do(identity.RoleAgent, "GET", "/api/v1/interactions/"+iid+"/recording", nil), 404)
}

// FuzzRecordingRange sends arbitrary Range headers to the playback endpoint:
// the answer is always 200 (the whole recording), 206 (exactly the bytes
// named by Content-Range) or 416, never a 5xx.
func FuzzRecordingRange(f *testing.F) {
	for _, s := range []string{"bytes=0-0", "bytes=-1", "bytes=1-", "bytes=0-1,5-9", "bytes=99999999999999999999-",
		"bytes=--1", "bytes=,", "bytes= 1 - 2 ", "bytes=70000-65536", "bytes=65535-65536", "bytes=0-,0-"} {
		f.Add(s)
	}
	base := newEnv(f)
	cid := base.createCustomer(sampleCustomer())
	iid := base.createInteraction(callInteraction(cid))
	path := "/api/v1/interactions/" + iid + "/recording"
	audio := pattern(140_000, 9)
	base.must(base.do(identity.RoleIntegration, "PUT", path, audio, "Content-Type", "audio/wav"), 201)
	f.Fuzz(func(t *testing.T, rng string) {
		if len(rng) > 200 || strings.ContainsFunc(rng, func(r rune) bool { return (r < 0x20 && r != '\t') || r == 0x7f }) {
			return // not a valid header value: no client sends it
		}
		e := *base
		e.t = t
		r := e.do(identity.RoleAgent, "GET", path, nil, "Range", rng)
		switch r.Status {
		case 200:
			if !bytes.Equal(r.Body, audio) {
				t.Fatalf("200 with a wrong body")
			}
		case 206:
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
				return
			}
			var start, end, size int
			if _, err := fmt.Sscanf(r.Header.Get("Content-Range"), "bytes %d-%d/%d", &start, &end, &size); err != nil {
				t.Fatalf("bad Content-Range %q", r.Header.Get("Content-Range"))
			}
			if size != len(audio) || !bytes.Equal(r.Body, audio[start:end+1]) {
				t.Fatalf("206 body does not match %s", r.Header.Get("Content-Range"))
			}
		case 416:
		default:
			t.Fatalf("status %d for Range %s", r.Status, strconv.Quote(rng))
		}
	})
}

func countFiles(t testing.TB, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			n++
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return n
}

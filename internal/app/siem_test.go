package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/app"
	"github.com/confide-cc/confide/internal/config"
	"github.com/confide-cc/confide/internal/siem"
)

// TestServeExportsToSIEM serves with a SIEM file sink: the node's start
// and a refused request reach the file as OCSF events.
func TestServeExportsToSIEM(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "audit.ocsf.jsonl")
	cfg, _, err := config.Load(flag.NewFlagSet("test", flag.ContinueOnError), []string{"--data", filepath.Join(dir, "data"),
		"--insecure-http", "--addr", "127.0.0.1:0", "--siem-file", out, "--siem-poll-interval", "10ms"}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.SIEM == nil {
		t.Fatal("no SIEM runner although siem_file is set")
	}
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, func(s string) { addr <- s }) }()
	resp, err := http.Get("http://" + <-addr + "/api/v1/customers/c1") // unauthenticated: request.denied
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	want := map[string]int{"system.start": 6003, "request.denied": 6003}
	deadline := time.Now().Add(30 * time.Second)
	for found := map[string]bool{}; len(found) < len(want); {
		if time.Now().After(deadline) {
			t.Fatalf("the SIEM file has %v, want %v", found, want)
		}
		time.Sleep(10 * time.Millisecond)
		for _, ev := range readOCSF(t, out) {
			if class, ok := want[ev.Unmapped.Action]; ok {
				if ev.ClassUID != class || ev.Metadata.Product.Name != "Confide" || ev.Metadata.UID == "" {
					t.Fatalf("%s exported as %+v", ev.Unmapped.Action, ev)
				}
				found[ev.Unmapped.Action] = true
			}
		}
	}
	cancel()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
}

func readOCSF(t *testing.T, path string) []siem.OCSFEvent {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []siem.OCSFEvent
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var ev siem.OCSFEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("not OCSF JSON: %v", err)
		}
		out = append(out, ev)
	}
	return out
}

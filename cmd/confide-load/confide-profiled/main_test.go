package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestProfilerWritesOnlyCompleteProfiles(t *testing.T) {
	dir := t.TempDir()
	p := &profiler{path: filepath.Join(dir, "cpu.pprof")}

	if err := p.toggle(false); err != nil {
		t.Fatalf("stopping when none runs: %v", err)
	}
	if _, err := os.Stat(p.path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a profile was written without one being started: %v", err)
	}

	if err := p.toggle(true); err != nil {
		t.Fatalf("start: %v", err)
	}
	if err := p.toggle(true); err != nil {
		t.Fatalf("starting twice: %v", err)
	}
	if _, err := os.Stat(p.path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the profile appeared before it was stopped: %v", err)
	}
	if err := p.toggle(false); err != nil {
		t.Fatalf("stop: %v", err)
	}
	b, err := os.ReadFile(p.path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) { // pprof profiles are gzipped protobuf
		t.Errorf("profile starts with % x, want a gzip stream", b[:min(len(b), 4)])
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d files, want only the profile (no temporary left)", len(entries))
	}
}

// Command confide-profiled is the confide command with a CPU profiler that
// signals switch on and off, for performance work (scripts/perf.sh):
//
//	confide-profiled --cpuprofile FILE serve [confide flags]
//
// SIGUSR1 starts a CPU profile; SIGUSR2 stops it and writes FILE (through a
// temporary file renamed into place, so FILE appears only when complete).
// A profile still running when the command exits is written too. Everything
// else is exactly the confide command. The profile holds function names
// and sample counts only, never request data.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"syscall"

	"github.com/confide-cc/confide/internal/cli"
)

func main() {
	fs := flag.NewFlagSet("confide-profiled", flag.ContinueOnError)
	path := fs.String("cpuprofile", "", "write the CPU profile taken between SIGUSR1 and SIGUSR2 to this file")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if *path == "" {
		fmt.Fprintln(os.Stderr, "usage: confide-profiled --cpuprofile FILE COMMAND [flags]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	p := &profiler{path: *path}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGUSR2)
	go func() {
		for s := range sigs {
			if err := p.toggle(s == syscall.SIGUSR1); err != nil {
				fmt.Fprintf(os.Stderr, "confide-profiled: %v\n", err)
			}
		}
	}()
	code := cli.Main(ctx, fs.Args(), os.Stdin, os.Stdout, os.Stderr)
	stop()
	signal.Stop(sigs)
	if err := p.toggle(false); err != nil {
		fmt.Fprintf(os.Stderr, "confide-profiled: %v\n", err)
	}
	os.Exit(code)
}

// profiler writes one CPU profile at a time to path.
type profiler struct {
	path string
	mu   sync.Mutex
	tmp  *os.File // the profile being written, or nil
}

// toggle starts a profile (on) or stops and writes the running one (!on).
// Starting a running profile or stopping none does nothing.
func (p *profiler) toggle(on bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on == (p.tmp != nil) {
		return nil
	}
	if on {
		f, err := os.CreateTemp(filepath.Dir(p.path), ".cpuprofile-*")
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return errors.Join(err, f.Close(), os.Remove(f.Name()))
		}
		p.tmp = f
		return nil
	}
	pprof.StopCPUProfile()
	f := p.tmp
	p.tmp = nil
	if err := f.Close(); err != nil {
		return errors.Join(err, os.Remove(f.Name()))
	}
	return os.Rename(f.Name(), p.path)
}

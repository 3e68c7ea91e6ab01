package siem

import (
	"context"
	"fmt"
	"io"
	"os"
)

// FileSink appends records as OCSF JSON lines to a file, created with
// mode 0600. It opens the file for each batch, so that a log rotator may
// rename it at any time, and syncs it before Send returns. Only this
// process should append to the file.
type FileSink struct {
	path    string
	product Product
}

// NewFileSink returns a sink appending to path.
func NewFileSink(path string, p Product) *FileSink {
	return &FileSink{path: path, product: p}
}

// Name implements Sink.
func (s *FileSink) Name() string { return "file:" + s.path }

// Send implements Sink.
func (s *FileSink) Send(ctx context.Context, records []Record) error {
	var buf []byte
	for _, r := range records {
		line, err := MarshalOCSF(r, s.product)
		if err != nil {
			return fmt.Errorf("siem: file sink: encode record %d: %w", r.Seq, err)
		}
		buf = append(append(buf, line...), '\n')
	}
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("siem: file sink: %w", err)
	}
	// A failed write is cut back off, so that the retry does not follow
	// half a line.
	end, err := f.Seek(0, io.SeekEnd)
	if err == nil {
		if _, err = f.Write(buf); err != nil {
			f.Truncate(end)
		}
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("siem: file sink: write %s: %w", s.path, err)
	}
	return nil
}

// Close implements Sink; the file is only open during Send.
func (s *FileSink) Close() error { return nil }

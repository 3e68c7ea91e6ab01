package records

import (
	"context"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/authz"
	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/vault"
)

// originalUpload streams the unredacted original of a recording into a blob
// of its own, encrypted like everything else, while the redacted copy is
// read from the same request body.
type originalUpload struct {
	key  string
	pw   *io.PipeWriter
	done chan originalResult
}

type originalResult struct {
	n   int64
	err error
}

// startOriginal begins storing the original; feed it through tee and end it
// with finish.
func (s *Service) startOriginal(ctx context.Context, keys *vault.CustomerKeys, interactionID string) *originalUpload {
	pr, pw := io.Pipe()
	o := &originalUpload{key: "recordings/" + interactionID + "/original-" + randomKey(), pw: pw, done: make(chan originalResult, 1)}
	go func() {
		n, err := s.putEncrypted(ctx, keys, o.key, pr)
		// If the store gave up early, fail the writer side too, so the
		// redacted upload stops instead of blocking on the pipe.
		pr.CloseWithError(errors.Join(err, io.ErrClosedPipe))
		o.done <- originalResult{n, err}
	}()
	return o
}

// tee returns a reader of r that also feeds every byte read to the original.
func (o *originalUpload) tee(r io.Reader) io.Reader { return io.TeeReader(r, o.pw) }

// finish ends the original's stream once the redacted copy is done (srcErr
// is its outcome) and returns the original's blob row to record, or the
// error that kept it from being stored (nothing is left behind then). A nil
// receiver (no original kept) returns nil, nil.
func (o *originalUpload) finish(srcErr error) (*store.Blob, error) {
	if o == nil {
		return nil, nil
	}
	o.pw.CloseWithError(srcErr) // nil: the original sees the end of the stream
	r := <-o.done
	switch {
	case srcErr != nil:
		return nil, srcErr
	case r.err != nil:
		return nil, apperr.Wrap(r.err, "storing the original recording failed")
	}
	return &store.Blob{Key: o.key, Kind: blobOriginal, Size: r.n}, nil
}

// OpenOriginalRecording returns the unredacted original of a redacted
// recording, if the installation keeps originals (keep_original_audio).
// Only privacy officers may, with a reason that is redacted and audited;
// everyone else gets "not found" (or "forbidden" if they may play the
// redacted recording).
func (s *Service) OpenOriginalRecording(ctx context.Context, interactionID, reason, byteRange string) (*Playback, error) {
	if err := s.Precheck(ctx, authz.RecordingPlayOriginal, "interaction/"+interactionID); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > maxReasonLen || !utf8.ValidString(reason) {
		err := invalid("reason_required", "X-Confide-Reason: a reason of at most %d bytes is required to fetch an original recording", maxReasonLen)
		if aerr := s.AuditRejected(ctx, authz.RecordingPlayOriginal, "interaction/"+interactionID, outcomeOf(err), apperr.As(err).Code); aerr != nil {
			return nil, aerr
		}
		return nil, err
	}
	clean, err := s.redactReason(reason)
	if err != nil {
		return nil, err
	}
	return s.openBlob(ctx, authz.RecordingPlayOriginal, interactionID, blobRef{kind: blobOriginal, details: map[string]any{"reason": clean}}, byteRange)
}

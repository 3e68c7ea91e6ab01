package records

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"strings"
	"time"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/authz"
	"github.com/confide-cc/confide/internal/redact/audio"
	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/vault"
)

// UploadRecording streams a call recording into the blob store, encrypted
// under the customer's keys, and attaches it to the interaction (replacing
// an earlier one). The body is never held whole in memory; one larger than
// the configured limit is rejected with nothing stored.
func (s *Service) UploadRecording(ctx context.Context, interactionID, contentType string, body io.Reader) (RecordingInfo, error) {
	resource := "interaction/" + interactionID
	if err := s.authorize(ctx, authz.RecordingUpload, resource, ""); err != nil {
		return RecordingInfo{}, err
	}
	ev := audit.NewEvent(ctx, string(authz.RecordingUpload), resource, audit.Success)
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || !strings.HasPrefix(mt, "audio/") {
		return RecordingInfo{}, s.reject(ctx, ev, apperr.New(apperr.UnsupportedMedia, "unsupported_media_type", "Content-Type: must be an audio type such as audio/wav"))
	}
	var row store.Interaction
	var keys *vault.CustomerKeys
	err = s.st.View(ctx, func(tx store.Tx) error {
		var err error
		row, keys, err = s.loadInteraction(ctx, tx, interactionID)
		return err
	})
	if err != nil {
		return RecordingInfo{}, s.reject(ctx, ev, mapStoreErr(err))
	}
	spans, err := s.audioSpans(keys, row)
	if err != nil {
		return RecordingInfo{}, s.reject(ctx, ev, err)
	}
	var src io.Reader = &limitReader{r: body, left: s.opt.MaxRecordingBytes}
	key := "recordings/" + interactionID + "/" + randomKey()
	var orig *originalUpload
	if len(spans) > 0 {
		// Words were redacted from the transcript: the same stretches are
		// silenced in the audio as it streams in. Audio that cannot be
		// redacted is refused, never stored as is.
		if !wavTypes[mt] {
			return RecordingInfo{}, s.reject(ctx, ev, apperr.New(apperr.UnsupportedMedia, "unredactable_audio",
				"Content-Type: this call's transcript has redacted words, so the recording must be WAV (audio/wav) to be redacted"))
		}
		if s.opt.KeepOriginalAudio {
			// The original streams into a blob of its own as it is read.
			orig = s.startOriginal(ctx, keys, interactionID)
			src = orig.tee(src)
		}
		if src, err = audio.NewReader(src, spans, audio.Options{}); err != nil {
			orig.finish(err)
			return RecordingInfo{}, s.reject(ctx, ev, apperr.New(apperr.Unprocessable, "unredactable_audio",
				"recording: not a WAV file that can be redacted (PCM 16-bit, µ-law or A-law; 8–48 kHz; mono or stereo)").WithCause(err))
		}
	}
	size, err := s.putEncrypted(ctx, keys, key, src)
	origBlob, origErr := orig.finish(err)
	if err == nil && origErr != nil {
		s.deleteBlob(ctx, key)
		err = origErr
	}
	if err != nil {
		var ae *apperr.Error
		switch {
		case errors.As(err, &ae):
		case errors.Is(err, audio.ErrUnaligned):
			err = apperr.New(apperr.Unprocessable, "unredactable_audio", "recording: a redacted span of the transcript lies outside the audio").WithCause(err)
		default:
			err = apperr.New(apperr.Invalid, "upload_failed", "the recording could not be read completely").WithCause(err)
		}
		return RecordingInfo{}, s.reject(ctx, ev, err)
	}
	meta, err := keys.Seal(marshal(attachmentMeta{ContentType: mt}), vault.FieldAD{Table: "blobs", Column: "meta", Row: key})
	if err != nil {
		s.deleteBlob(ctx, key)
		return RecordingInfo{}, apperr.Wrap(err, "encryption failed")
	}
	if origBlob != nil {
		if origBlob.Meta, err = keys.Seal(marshal(attachmentMeta{ContentType: mt}), vault.FieldAD{Table: "blobs", Column: "meta", Row: origBlob.Key}); err != nil {
			s.deleteBlob(ctx, key)
			s.deleteBlob(ctx, origBlob.Key)
			return RecordingInfo{}, apperr.Wrap(err, "encryption failed")
		}
	}
	now := s.opt.Now().UTC()
	ev.Details = map[string]any{"customer_id": row.CustomerID, "size": size, "content_type": mt, "redacted_spans": len(spans), "original_kept": origBlob != nil}
	err = s.audited(ctx, ev, func(tx store.Tx, _ *audit.Event) error {
		if _, err := tx.GetInteraction(ctx, interactionID); errors.Is(err, store.ErrNotFound) {
			return apperr.NotFoundErr("interaction") // erased meanwhile
		} else if err != nil {
			return err
		}
		if _, err := tx.PutBlob(ctx, store.Blob{Key: key, CustomerID: row.CustomerID, InteractionID: interactionID,
			Kind: blobRecording, Meta: meta, Size: size, CreatedAt: now}); err != nil {
			return err
		}
		if origBlob != nil {
			origBlob.CustomerID, origBlob.InteractionID, origBlob.CreatedAt = row.CustomerID, interactionID, now
			if _, err := tx.PutBlob(ctx, *origBlob); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.deleteBlob(ctx, key)
		if origBlob != nil {
			s.deleteBlob(ctx, origBlob.Key)
		}
		return RecordingInfo{}, err
	}
	s.kickCollector()
	return RecordingInfo{ContentType: mt, Size: size, UploadedAt: now}, nil
}

// wavTypes are the media types of WAV audio.
var wavTypes = map[string]bool{"audio/wav": true, "audio/x-wav": true, "audio/wave": true, "audio/vnd.wave": true}

// audioSpans returns the audio intervals redacted from the interaction's
// transcript.
func (s *Service) audioSpans(keys *vault.CustomerKeys, row store.Interaction) ([]audio.Interval, error) {
	pt, err := keys.Open(row.Content, vault.FieldAD{Table: tableInteractions, Column: "content", Row: row.ID})
	if err != nil {
		return nil, apperr.Wrap(err, "decryption failed")
	}
	var doc struct {
		Redaction *Redaction `json:"redaction"`
	}
	if err := json.Unmarshal(pt, &doc); err != nil {
		return nil, apperr.Wrap(err, "corrupt interaction content")
	}
	if doc.Redaction == nil {
		return nil, nil
	}
	out := make([]audio.Interval, len(doc.Redaction.AudioSpans))
	for i, sp := range doc.Redaction.AudioSpans {
		out[i] = audio.Interval{Start: sp[0], End: sp[1]}
	}
	return out, nil
}

// limitReader fails with a TooLarge error once more than left bytes are read.
type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, apperr.New(apperr.TooLarge, "too_large", "recording: larger than the configured limit")
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, apperr.New(apperr.TooLarge, "too_large", "recording: larger than the configured limit")
	}
	return n, err
}

// Playback is an open, decrypting view of a stored blob for streaming with
// Range support (http.ServeContent).
type Playback struct {
	io.ReadSeeker
	ContentType string
	FileName    string
	Size        int64
	ModTime     time.Time
	close       func() error
}

// Close releases the underlying object.
func (p *Playback) Close() error { return p.close() }

// OpenRecording authorizes and audits a playback of an interaction's
// recording and returns a decrypting reader that seeks by segment. byteRange
// is the client's Range header, recorded in the audit event.
func (s *Service) OpenRecording(ctx context.Context, interactionID, byteRange string) (*Playback, error) {
	return s.openBlob(ctx, authz.RecordingPlay, interactionID, blobRef{kind: blobRecording}, byteRange)
}

// OpenAttachment authorizes and audits a download of an email attachment.
func (s *Service) OpenAttachment(ctx context.Context, interactionID, attachmentID, byteRange string) (*Playback, error) {
	return s.openBlob(ctx, authz.AttachmentDownload, interactionID, blobRef{kind: blobAttachment, attachmentID: attachmentID}, byteRange)
}

// blobRef names the blob of an interaction to open.
type blobRef struct {
	kind         string
	attachmentID string         // for attachments
	details      map[string]any // extra audit details
}

func (r blobRef) matches(interactionID string, b store.Blob) bool {
	if b.Kind != r.kind {
		return false
	}
	return r.kind != blobAttachment || b.Key == "attachments/"+interactionID+"/"+r.attachmentID
}

func (s *Service) openBlob(ctx context.Context, action authz.Action, interactionID string, ref blobRef, byteRange string) (*Playback, error) {
	resource := "interaction/" + interactionID
	if err := s.authorize(ctx, action, resource, "interaction"); err != nil {
		return nil, err
	}
	ev := audit.NewEvent(ctx, string(action), resource, audit.Success)
	if len(byteRange) > 100 {
		byteRange = byteRange[:100]
	}
	var b store.Blob
	var keys *vault.CustomerKeys
	var meta attachmentMeta
	err := s.audited(ctx, ev, func(tx store.Tx, ev *audit.Event) error {
		row, k, err := s.loadInteraction(ctx, tx, interactionID)
		if err != nil {
			return err
		}
		keys = k
		blobs, err := tx.ListBlobs(ctx, interactionID)
		if err != nil {
			return err
		}
		found := false
		for _, c := range blobs {
			if ref.matches(interactionID, c) {
				b, found = c, true
			}
		}
		if !found {
			return apperr.NotFoundErr(map[string]string{blobRecording: "recording", blobOriginal: "original recording", blobAttachment: "attachment"}[ref.kind])
		}
		if meta, err = openMeta(keys, b); err != nil {
			return err
		}
		ev.Details = map[string]any{"customer_id": row.CustomerID, "range": byteRange}
		if ref.attachmentID != "" {
			ev.Details["attachment_id"] = ref.attachmentID
		}
		for k, v := range ref.details {
			ev.Details[k] = v
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	obj, err := s.blobs.Open(ctx, b.Key)
	if err != nil {
		return nil, apperr.Wrap(err, "blob store unavailable")
	}
	r, err := keys.OpenBlob(obj, obj.Size(), b.Key)
	if err != nil {
		obj.Close()
		return nil, apperr.Wrap(err, "blob decryption failed")
	}
	return &Playback{ReadSeeker: r, ContentType: meta.ContentType, FileName: meta.FileName, Size: r.Size(), ModTime: b.CreatedAt, close: obj.Close}, nil
}

func (s *Service) kickCollector() {
	select {
	case s.collectNow <- struct{}{}:
	default:
	}
}

package records

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/authz"
	"github.com/confide-cc/confide/internal/content"
	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/vault"
)

// Channels of an interaction.
const (
	ChannelCall  = "call"
	ChannelChat  = "chat"
	ChannelEmail = "email"
	ChannelSMS   = "sms"
)

const tableInteractions = "interactions"

// InteractionInput is an interaction as submitted by an integration.
// Exactly one kind of content matches the channel: a transcript for calls,
// messages for chat and SMS, a raw RFC 5322 message for email.
type InteractionInput struct {
	CustomerID string     `json:"customer_id"`
	Channel    string     `json:"channel"`
	StartedAt  time.Time  `json:"started_at"`
	EndedAt    *time.Time `json:"ended_at,omitempty"`
	Queue      string     `json:"queue,omitempty"`
	Agent      string     `json:"agent,omitempty"`
	// CallerNumber is the originating number of a call or SMS, if the
	// telephony platform knows it. It is not stored: the audit event
	// carries only its keyed hash (caller_key), which the monitor counts to
	// spot call floods (TDoS) from one number.
	CallerNumber string            `json:"caller_number,omitempty"`
	Transcript   json.RawMessage   `json:"transcript,omitempty"`
	Messages     []content.Message `json:"messages,omitempty"`
	EmailRaw     string            `json:"email_raw,omitempty"`
}

// Content is an interaction's content as stored (sealed) and returned.
type Content struct {
	Transcript *content.Transcript `json:"transcript,omitempty"`
	Messages   []content.Message   `json:"messages,omitempty"`
	Email      *EmailContent       `json:"email,omitempty"`
	// Redaction records what was removed before storing (counts only).
	Redaction *Redaction `json:"redaction,omitempty"`
}

// EmailContent is a parsed email; attachments are stored as blobs.
type EmailContent struct {
	From        []content.Address `json:"from,omitempty"`
	To          []content.Address `json:"to,omitempty"`
	Cc          []content.Address `json:"cc,omitempty"`
	Subject     string            `json:"subject,omitempty"`
	Date        *time.Time        `json:"date,omitempty"`
	MessageID   string            `json:"message_id,omitempty"`
	TextBody    string            `json:"text_body,omitempty"`
	HTMLBody    string            `json:"html_body,omitempty"`
	Attachments []AttachmentInfo  `json:"attachments,omitempty"`
}

// AttachmentInfo describes a stored attachment.
type AttachmentInfo struct {
	ID          string `json:"id"`
	FileName    string `json:"file_name,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Size        int64  `json:"size"`
}

// RecordingInfo describes an interaction's stored recording.
type RecordingInfo struct {
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

// InteractionSummary is an interaction without content, for listings.
type InteractionSummary struct {
	ID        string     `json:"id"`
	Channel   string     `json:"channel"`
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
	Queue     string     `json:"queue,omitempty"`
	Agent     string     `json:"agent,omitempty"` // Confide user id (usr_…) of the handling agent
	CreatedAt time.Time  `json:"created_at"`
	// VerifiedAt is when the caller passed identity verification in this
	// interaction (docs/VERIFICATION.md); absent if not.
	VerifiedAt *time.Time `json:"verified_at,omitempty"`
}

// Interaction is an interaction with its content.
type Interaction struct {
	InteractionSummary
	CustomerID string         `json:"customer_id"`
	Recording  *RecordingInfo `json:"recording,omitempty"`
	Content
}

func summarize(r store.Interaction) InteractionSummary {
	return InteractionSummary{ID: r.ID, Channel: r.Channel, StartedAt: r.StartedAt, EndedAt: timePtr(r.EndedAt),
		Queue: r.Queue, Agent: r.Agent, CreatedAt: r.CreatedAt, VerifiedAt: timePtr(r.VerifiedAt)}
}

// Page is one page of a listing; Next is the cursor of the following page
// (empty on the last page).
type Page[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

// Limits on interaction metadata.
const (
	maxLabelLen     = 128
	maxAttachments  = 50
	defaultPageSize = 50
	maxPageSize     = 200
)

// CreateInteraction validates and stores an interaction for an existing
// customer. Email attachments are encrypted into the blob store first; the
// database rows and the audit event then commit together. On any failure
// nothing remains visible.
func (s *Service) CreateInteraction(ctx context.Context, in InteractionInput) (string, error) {
	if err := s.authorize(ctx, authz.InteractionCreate, "interaction", ""); err != nil {
		return "", err
	}
	id := newID()
	ev := audit.NewEvent(ctx, string(authz.InteractionCreate), "interaction/"+id, audit.Success)
	doc, attachments, err := s.validateInteraction(&in)
	if err != nil {
		ev.Resource = "interaction"
		return "", s.reject(ctx, ev, err)
	}
	if err := s.redactContent(&doc); err != nil {
		return "", s.reject(ctx, ev, err)
	}
	ev.Details = map[string]any{"channel": in.Channel, "customer_id": in.CustomerID, "redacted": doc.Redaction.total()}
	if in.CallerNumber != "" {
		key, err := s.callerKey(in.CallerNumber)
		if err != nil {
			return "", s.reject(ctx, ev, apperr.Wrap(err, "blind index failed"))
		}
		ev.Details["caller_key"] = key
	}
	keys, err := s.customerKeys(ctx, in.CustomerID)
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			err = apperr.New(apperr.Unprocessable, "unknown_customer", "customer_id: unknown customer")
		}
		return "", s.reject(ctx, ev, err)
	}
	var blobs []store.Blob
	cleanup := func() {
		for _, b := range blobs {
			if derr := s.blobs.Delete(context.WithoutCancel(ctx), b.Key); derr != nil {
				s.log.Warn("orphan attachment blob not deleted", "key", b.Key, "err", derr)
			}
		}
	}
	for i, a := range attachments {
		attID := randomKey()
		key := "attachments/" + id + "/" + attID
		size, err := s.putEncrypted(ctx, keys, key, bytes.NewReader(a.Data))
		if err != nil {
			cleanup()
			return "", s.reject(ctx, ev, apperr.Wrap(err, "storing attachment failed"))
		}
		meta, err := keys.Seal(marshal(attachmentMeta{FileName: a.FileName, ContentType: a.ContentType}), vault.FieldAD{Table: "blobs", Column: "meta", Row: key})
		if err != nil {
			cleanup()
			return "", apperr.Wrap(err, "encryption failed")
		}
		blobs = append(blobs, store.Blob{Key: key, CustomerID: in.CustomerID, InteractionID: id, Kind: "attachment", Meta: meta, Size: size})
		doc.Email.Attachments[i].ID = attID
		doc.Email.Attachments[i].Size = size
	}
	sealed, err := keys.Seal(marshal(doc), vault.FieldAD{Table: tableInteractions, Column: "content", Row: id})
	if err != nil {
		cleanup()
		return "", apperr.Wrap(err, "encryption failed")
	}
	now := s.opt.Now().UTC()
	row := store.Interaction{ID: id, CustomerID: in.CustomerID, Channel: in.Channel, StartedAt: in.StartedAt.UTC(),
		Queue: in.Queue, Agent: in.Agent, Content: sealed, CreatedAt: now}
	if in.EndedAt != nil {
		row.EndedAt = in.EndedAt.UTC()
	}
	err = s.audited(ctx, ev, func(tx store.Tx, _ *audit.Event) error {
		// The customer may have been erased since we read their keys.
		if _, err := tx.GetCustomerKeyset(ctx, in.CustomerID); errors.Is(err, store.ErrNotFound) {
			return apperr.New(apperr.Unprocessable, "unknown_customer", "customer_id: unknown customer")
		} else if err != nil {
			return err
		}
		if err := tx.InsertInteraction(ctx, row); err != nil {
			return err
		}
		for _, b := range blobs {
			b.CreatedAt = now
			if _, err := tx.PutBlob(ctx, b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		cleanup()
		return "", err
	}
	return id, nil
}

type attachmentMeta struct {
	FileName    string `json:"file_name,omitempty"`
	ContentType string `json:"content_type,omitempty"`
}

// validateInteraction checks in and returns the content document and the
// attachments to store.
func (s *Service) validateInteraction(in *InteractionInput) (Content, []content.Attachment, error) {
	var doc Content
	if !validID(in.CustomerID) {
		return doc, nil, apperr.New(apperr.Unprocessable, "unknown_customer", "customer_id: unknown customer")
	}
	if in.StartedAt.IsZero() {
		return doc, nil, invalid("invalid_time", "started_at: required (RFC 3339)")
	}
	if in.EndedAt != nil && in.EndedAt.Before(in.StartedAt) {
		return doc, nil, invalid("invalid_time", "ended_at: before started_at")
	}
	if in.StartedAt.After(s.opt.Now().Add(24 * time.Hour)) {
		return doc, nil, invalid("invalid_time", "started_at: in the future")
	}
	for _, f := range []struct{ name, v string }{{"queue", in.Queue}, {"agent", in.Agent}} {
		if len(f.v) > maxLabelLen || !utf8.ValidString(f.v) || strings.ContainsFunc(f.v, func(r rune) bool { return r < 0x20 }) {
			return doc, nil, invalid("invalid_label", "%s: at most %d printable characters", f.name, maxLabelLen)
		}
	}
	if in.CallerNumber != "" {
		if in.Channel != ChannelCall && in.Channel != ChannelSMS {
			return doc, nil, invalid("invalid_caller_number", "caller_number: only for channels call and sms")
		}
		norm, err := NormalizePhone(in.CallerNumber, s.opt.DefaultRegion)
		if err != nil {
			return doc, nil, invalid("invalid_caller_number", "caller_number: not a valid phone number")
		}
		in.CallerNumber = norm
	}
	has := map[string]bool{"transcript": len(in.Transcript) > 0 && string(in.Transcript) != "null", "messages": len(in.Messages) > 0, "email_raw": in.EmailRaw != ""}
	want := map[string]string{ChannelCall: "transcript", ChannelChat: "messages", ChannelSMS: "messages", ChannelEmail: "email_raw"}[in.Channel]
	if want == "" {
		return doc, nil, invalid("invalid_channel", "channel: must be one of call, chat, email, sms")
	}
	for k, v := range has {
		if v && k != want {
			return doc, nil, invalid("invalid_content", "%s: not allowed for channel %s (use %s)", k, in.Channel, want)
		}
	}
	if !has[want] {
		return doc, nil, invalid("invalid_content", "%s: required for channel %s", want, in.Channel)
	}
	switch want {
	case "transcript":
		t, err := content.ParseTranscript(in.Transcript)
		if err != nil {
			return doc, nil, contentErr(err)
		}
		doc.Transcript = &t
	case "messages":
		if err := content.ValidateMessages(in.Messages); err != nil {
			return doc, nil, contentErr(err)
		}
		doc.Messages = in.Messages
	case "email_raw":
		e, err := content.ParseEmail([]byte(in.EmailRaw), content.EmailLimits{})
		if err != nil {
			return doc, nil, contentErr(err)
		}
		if len(e.Attachments) > maxAttachments {
			return doc, nil, invalid("invalid_email", "email_raw: more than %d attachments", maxAttachments)
		}
		ec := &EmailContent{From: e.From, To: e.To, Cc: e.Cc, Subject: e.Subject, MessageID: e.MessageID, TextBody: e.TextBody, HTMLBody: e.HTMLBody}
		if !e.Date.IsZero() {
			d := e.Date.UTC()
			ec.Date = &d
		}
		for _, a := range e.Attachments {
			ec.Attachments = append(ec.Attachments, AttachmentInfo{FileName: a.FileName, ContentType: a.ContentType})
		}
		doc.Email = ec
		return doc, e.Attachments, nil
	}
	return doc, nil, nil
}

// contentErr turns a content validation error into a 400 with its
// (content-free) message.
func contentErr(err error) error {
	var ce *content.Error
	if errors.As(err, &ce) {
		return apperr.New(apperr.Invalid, "invalid_content", "%s", ce.Error())
	}
	return apperr.New(apperr.Invalid, "invalid_content", "content is malformed").WithCause(err)
}

// customerKeys opens the keys of a customer in a read transaction.
func (s *Service) customerKeys(ctx context.Context, customerID string) (*vault.CustomerKeys, error) {
	if !validID(customerID) {
		return nil, apperr.NotFoundErr("customer")
	}
	var ks store.CustomerKeyset
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		ks, err = tx.GetCustomerKeyset(ctx, customerID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, apperr.NotFoundErr("customer")
	} else if err != nil {
		return nil, mapStoreErr(err)
	}
	keys, err := s.vault.OpenCustomerKeys(ctx, customerID, ks.Wrapped)
	if err != nil {
		return nil, apperr.Wrap(err, "customer keys unavailable")
	}
	return keys, nil
}

// GetInteraction returns an interaction with its content.
func (s *Service) GetInteraction(ctx context.Context, id string) (Interaction, error) {
	resource := "interaction/" + id
	if err := s.authorize(ctx, authz.InteractionRead, resource, "interaction"); err != nil {
		return Interaction{}, err
	}
	var out Interaction
	err := s.audited(ctx, audit.NewEvent(ctx, string(authz.InteractionRead), resource, audit.Success), func(tx store.Tx, ev *audit.Event) error {
		row, keys, err := s.loadInteraction(ctx, tx, id)
		if err != nil {
			return err
		}
		ev.Details = map[string]any{"customer_id": row.CustomerID}
		pt, err := keys.Open(row.Content, vault.FieldAD{Table: tableInteractions, Column: "content", Row: id})
		if err != nil {
			return apperr.Wrap(err, "decryption failed")
		}
		out = Interaction{InteractionSummary: summarize(row), CustomerID: row.CustomerID}
		if err := json.Unmarshal(pt, &out.Content); err != nil {
			return apperr.Wrap(err, "corrupt interaction content")
		}
		blobs, err := tx.ListBlobs(ctx, id)
		if err != nil {
			return err
		}
		for _, b := range blobs {
			if b.Kind == blobRecording {
				meta, err := openMeta(keys, b)
				if err != nil {
					return err
				}
				out.Recording = &RecordingInfo{ContentType: meta.ContentType, Size: b.Size, UploadedAt: b.CreatedAt}
			}
		}
		return nil
	})
	if err != nil {
		return Interaction{}, err
	}
	return out, nil
}

func openMeta(keys *vault.CustomerKeys, b store.Blob) (attachmentMeta, error) {
	var m attachmentMeta
	pt, err := keys.Open(b.Meta, vault.FieldAD{Table: "blobs", Column: "meta", Row: b.Key})
	if err != nil {
		return m, apperr.Wrap(err, "decryption failed")
	}
	if err := json.Unmarshal(pt, &m); err != nil {
		return m, apperr.Wrap(err, "corrupt blob metadata")
	}
	return m, nil
}

// loadInteraction reads an interaction and opens its customer's keys.
func (s *Service) loadInteraction(ctx context.Context, tx store.Tx, id string) (store.Interaction, *vault.CustomerKeys, error) {
	if !validID(id) {
		return store.Interaction{}, nil, apperr.NotFoundErr("interaction")
	}
	row, err := tx.GetInteraction(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return row, nil, apperr.NotFoundErr("interaction")
	} else if err != nil {
		return row, nil, err
	}
	ks, err := tx.GetCustomerKeyset(ctx, row.CustomerID)
	if errors.Is(err, store.ErrNotFound) {
		return row, nil, apperr.NotFoundErr("interaction")
	} else if err != nil {
		return row, nil, err
	}
	keys, err := s.vault.OpenCustomerKeys(ctx, row.CustomerID, ks.Wrapped)
	if err != nil {
		return row, nil, apperr.Wrap(err, "customer keys unavailable")
	}
	return row, keys, nil
}

// ListInteractions pages through a customer's interactions (without
// content), oldest first.
func (s *Service) ListInteractions(ctx context.Context, customerID, after string, limit int) (Page[InteractionSummary], error) {
	resource := "customer/" + customerID
	if err := s.authorize(ctx, authz.InteractionList, resource, "customer"); err != nil {
		return Page[InteractionSummary]{}, err
	}
	ev := audit.NewEvent(ctx, string(authz.InteractionList), resource, audit.Success)
	if limit == 0 {
		limit = defaultPageSize
	}
	if limit < 1 || limit > maxPageSize {
		return Page[InteractionSummary]{}, s.reject(ctx, ev, invalid("invalid_limit", "limit: must be 1 to %d", maxPageSize))
	}
	if after != "" && !validID(after) {
		return Page[InteractionSummary]{}, s.reject(ctx, ev, invalid("invalid_cursor", "after: not a cursor returned by this API"))
	}
	page := Page[InteractionSummary]{Items: []InteractionSummary{}}
	err := s.audited(ctx, ev, func(tx store.Tx, ev *audit.Event) error {
		if !validID(customerID) {
			return apperr.NotFoundErr("customer")
		}
		if _, err := tx.GetCustomerKeyset(ctx, customerID); errors.Is(err, store.ErrNotFound) {
			return apperr.NotFoundErr("customer")
		} else if err != nil {
			return err
		}
		rows, err := tx.ListInteractions(ctx, customerID, after, limit+1)
		if err != nil {
			return err
		}
		if len(rows) > limit {
			rows = rows[:limit]
			page.Next = rows[len(rows)-1].ID
		}
		for _, r := range rows {
			page.Items = append(page.Items, summarize(r))
		}
		ev.Details = map[string]any{"results": len(page.Items)}
		return nil
	})
	return page, err
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// callerKey is the keyed hash of a normalized calling number that the
// audit log carries instead of the number (blind-index key, purpose
// "caller"): equal numbers give equal keys, and nobody without the key can
// tell which number it is.
func (s *Service) callerKey(e164 string) (string, error) {
	h, err := s.vault.IndexHashes("caller", []byte(e164))
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h[0].Sum[:8]), nil
}

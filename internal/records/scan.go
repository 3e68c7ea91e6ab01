package records

import (
	"context"
	"encoding/json"
	"time"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/redact"
	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/vault"
)

// ScanReport is the outcome of a stored-content scan.
type ScanReport struct {
	Interactions int      // interactions scanned
	Findings     []string // ids of interactions holding card numbers
}

// scanBatch is how many interactions one read transaction loads.
const scanBatch = 200

// ScanForCardNumbers reads every stored interaction and looks for payment
// card numbers that redaction should have removed (PCI DSS 12.10.7): data
// stored before redaction was enabled or improved, or a detector miss since
// corrected. Each finding appends a high-severity "redaction.pan_found"
// audit event naming the interaction (never the number). progress, if not
// nil, is called after each batch.
func (s *Service) ScanForCardNumbers(ctx context.Context, progress func(scanned int)) (ScanReport, error) {
	det, err := redact.New(redact.Config{Entities: []redact.EntityType{redact.CardNumber}})
	if err != nil {
		return ScanReport{}, apperr.Wrap(err, "card detector")
	}
	var rep ScanReport
	after := ""
	for {
		var batch []store.Interaction
		keysets := map[string][]byte{}
		err := s.st.View(ctx, func(tx store.Tx) error {
			var err error
			if batch, err = tx.ScanInteractions(ctx, after, scanBatch); err != nil {
				return err
			}
			for _, in := range batch {
				if _, ok := keysets[in.CustomerID]; ok {
					continue
				}
				ks, err := tx.GetCustomerKeyset(ctx, in.CustomerID)
				if err != nil {
					return err // erased meanwhile: its interactions are gone too
				}
				keysets[in.CustomerID] = ks.Wrapped
			}
			return nil
		})
		if err != nil {
			return rep, mapStoreErr(err)
		}
		if len(batch) == 0 {
			return rep, nil
		}
		after = batch[len(batch)-1].ID
		for _, in := range batch {
			n, err := s.cardNumbersIn(ctx, det, in, keysets[in.CustomerID])
			if err != nil {
				return rep, err
			}
			rep.Interactions++
			if n == 0 {
				continue
			}
			rep.Findings = append(rep.Findings, in.ID)
			ev := audit.NewEvent(ctx, "redaction.pan_found", "interaction/"+in.ID, audit.Success)
			ev.Details = map[string]any{"customer_id": in.CustomerID, "card_numbers": n, "severity": "high"}
			if err := s.appendOnly(ctx, ev); err != nil {
				return rep, err
			}
			s.log.Error("card number found in stored interaction content", "interaction", in.ID, "severity", "high")
		}
		if progress != nil {
			progress(rep.Interactions)
		}
	}
}

// cardNumbersIn counts the card numbers in an interaction's stored text.
func (s *Service) cardNumbersIn(ctx context.Context, det *redact.Redactor, in store.Interaction, wrapped []byte) (int, error) {
	keys, err := s.vault.OpenCustomerKeys(ctx, in.CustomerID, wrapped)
	if err != nil {
		return 0, apperr.Wrap(err, "customer keys unavailable")
	}
	pt, err := keys.Open(in.Content, vault.FieldAD{Table: tableInteractions, Column: "content", Row: in.ID})
	if err != nil {
		return 0, apperr.Wrap(err, "decryption failed")
	}
	var doc Content
	if err := json.Unmarshal(pt, &doc); err != nil {
		return 0, apperr.Wrap(err, "corrupt interaction content")
	}
	var turns []redact.Turn
	switch {
	case doc.Transcript != nil:
		turns = transcriptTurns(doc.Transcript)
	case doc.Messages != nil:
		turns = messageTurns(doc.Messages)
	case doc.Email != nil:
		_, counts, err := det.RedactFields(doc.Email.Subject, doc.Email.TextBody, doc.Email.HTMLBody)
		if err != nil {
			return 0, apperr.Wrap(err, "card scan")
		}
		return counts[redact.CardNumber], nil
	}
	_, spans, err := det.RedactTranscript(redact.Transcript{Turns: turns})
	if err != nil {
		return 0, apperr.Wrap(err, "card scan")
	}
	return countEntities(spans)[redact.CardNumber], nil
}

// RunCardScanner scans stored content every interval until ctx ends.
func (s *Service) RunCardScanner(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rep, err := s.ScanForCardNumbers(ctx, nil)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("card-number scan failed; will retry", "err", err)
			continue
		}
		s.log.Info("card-number scan finished", "interactions", rep.Interactions, "findings", len(rep.Findings))
	}
}

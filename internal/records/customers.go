package records

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/confide-cc/confide/internal/apperr"
	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/authz"
	"github.com/confide-cc/confide/internal/store"
	"github.com/confide-cc/confide/internal/vault"
)

// Customer is a profile with its id and timestamps.
type Customer struct {
	ID        string    `json:"id"`
	Profile             // masked unless revealed
	Masked    bool      `json:"masked"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

const tableCustomers = "customers"

// Blind-index purposes.
const (
	purposePhone = "phone"
	purposeEmail = "email"
)

// maxSearchResults bounds a blind-index search.
const maxSearchResults = 50

// CreateCustomer validates p, seals it under a new per-customer keyset and
// stores it with its blind-index entries. It returns the new id.
func (s *Service) CreateCustomer(ctx context.Context, p Profile) (string, error) {
	if err := s.authorize(ctx, authz.CustomerCreate, "customer", ""); err != nil {
		return "", err
	}
	id := newID()
	ev := audit.NewEvent(ctx, string(authz.CustomerCreate), "customer/"+id, audit.Success)
	if err := p.normalize(s.opt.DefaultRegion, s.opt.Now()); err != nil {
		ev.Resource = "customer"
		return "", s.reject(ctx, ev, err)
	}
	keys, wrapped, kekID, err := s.vault.NewCustomerKeys(id)
	if err != nil {
		return "", apperr.Wrap(err, "key generation failed")
	}
	now := s.opt.Now().UTC()
	row, err := sealProfile(keys, id, p)
	if err != nil {
		return "", err
	}
	row.CreatedAt, row.UpdatedAt = now, now
	entries, err := s.indexEntries(id, p)
	if err != nil {
		return "", err
	}
	err = s.audited(ctx, ev, func(tx store.Tx, ev *audit.Event) error {
		if err := tx.InsertCustomerKeyset(ctx, store.CustomerKeyset{CustomerID: id, KEKKeyID: kekID, Wrapped: wrapped}); err != nil {
			return err
		}
		if err := tx.InsertCustomer(ctx, row); err != nil {
			return err
		}
		return tx.ReplaceIndexEntries(ctx, id, entries)
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// GetCustomer returns the masked profile. A customer the caller may not read
// is not found.
func (s *Service) GetCustomer(ctx context.Context, id string) (Customer, error) {
	resource := "customer/" + id
	if err := s.authorize(ctx, authz.CustomerRead, resource, "customer"); err != nil {
		return Customer{}, err
	}
	var c Customer
	err := s.audited(ctx, audit.NewEvent(ctx, string(authz.CustomerRead), resource, audit.Success), func(tx store.Tx, _ *audit.Event) error {
		var err error
		c, err = s.loadCustomer(ctx, tx, id)
		return err
	})
	if err != nil {
		return Customer{}, err
	}
	c.Profile, c.Masked = Mask(c.Profile), true
	return c, nil
}

// SearchCustomers finds customers by phone or email through the blind
// index (exactly one of phone, email must be set) and returns them masked.
func (s *Service) SearchCustomers(ctx context.Context, phone, email string) ([]Customer, error) {
	if err := s.authorize(ctx, authz.CustomerSearch, "customer", ""); err != nil {
		return nil, err
	}
	ev := audit.NewEvent(ctx, string(authz.CustomerSearch), "customer", audit.Success)
	var purpose, norm string
	var err error
	switch {
	case phone != "" && email != "", phone == "" && email == "":
		err = invalid("invalid_query", "give exactly one of the query parameters phone and email")
	case phone != "":
		purpose = purposePhone
		if norm, err = NormalizePhone(phone, s.opt.DefaultRegion); err != nil {
			err = invalid("invalid_phone", "phone: not a valid phone number")
		}
	default:
		purpose = purposeEmail
		if norm, err = NormalizeEmail(email); err != nil {
			err = invalid("invalid_email", "email: not a valid email address")
		}
	}
	if err != nil {
		return nil, s.reject(ctx, ev, err)
	}
	ev.Details = map[string]any{"by": purpose}
	hashes, err := s.vault.IndexHashes(purpose, []byte(norm))
	if err != nil {
		return nil, apperr.Wrap(err, "blind index unavailable")
	}
	var out []Customer
	err = s.audited(ctx, ev, func(tx store.Tx, ev *audit.Event) error {
		var ids []string
		for _, h := range hashes {
			found, err := tx.LookupIndex(ctx, purpose, h.KeyID, h.Sum, maxSearchResults)
			if err != nil {
				return err
			}
			ids = append(ids, found...)
		}
		slices.Sort(ids)
		ids = slices.Compact(ids)
		if len(ids) > maxSearchResults {
			ids = ids[:maxSearchResults]
		}
		out = out[:0]
		for _, id := range ids {
			c, err := s.loadCustomer(ctx, tx, id)
			if err != nil {
				return err
			}
			c.Profile, c.Masked = Mask(c.Profile), true
			// Finding the caller is allowed to agents who do not serve
			// them yet: they learn the id (to start an interaction),
			// not the masked profile.
			ok, err := s.mayRead(ctx, tx, id)
			if err != nil {
				return err
			}
			if !ok {
				c.Profile = Profile{Phones: []string{}, Emails: []string{}, AccountNumbers: []string{}, Attributes: map[string]string{}}
			}
			out = append(out, c)
		}
		ev.Details["results"] = len(out)
		ev.Details["customer_ids"] = ids
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []Customer{}
	}
	return out, nil
}

// RevealRequest asks for clear values of some fields, with a reason and
// optionally the case it serves.
type RevealRequest struct {
	Fields []string `json:"fields"`
	Reason string   `json:"reason"`
	CaseID string   `json:"case_id,omitempty"`
}

const (
	maxReasonLen = 500
	maxCaseIDLen = 128
)

// RevealCustomer returns the requested fields in clear (others omitted) if
// the policies permit every one of them for this caller and customer. The
// reason is required and recorded in the audit event with the optional case
// id; reveals are rate-limited per user (Options.RevealLimit).
func (s *Service) RevealCustomer(ctx context.Context, id string, req RevealRequest) (Revealed, error) {
	resource := "customer/" + id
	// A caller who may not even read the customer must not learn it exists.
	areq, err := s.accessRequest(ctx, authz.CustomerReveal, resource)
	if err != nil {
		return Revealed{}, err
	}
	if d := s.engine.Decide(areq); !d.Allow {
		return Revealed{}, s.deny(ctx, areq, d, resource, "customer")
	}
	ev := audit.NewEvent(ctx, string(authz.CustomerReveal), resource, audit.Success)
	req.Reason = strings.TrimSpace(req.Reason)
	req.CaseID = strings.TrimSpace(req.CaseID)
	fields := slices.Clone(req.Fields)
	slices.Sort(fields)
	fields = slices.Compact(fields)
	switch {
	case len(fields) == 0:
		err = invalid("invalid_fields", "fields: name at least one field")
	case req.Reason == "":
		err = invalid("reason_required", "reason: a reason is required to reveal data")
	case len(req.Reason) > maxReasonLen || !utf8.ValidString(req.Reason):
		err = invalid("invalid_reason", "reason: must be valid UTF-8 of at most %d bytes", maxReasonLen)
	case len(req.CaseID) > maxCaseIDLen || strings.ContainsFunc(req.CaseID, func(r rune) bool { return r <= ' ' || r == 0x7f || r > '~' }):
		err = invalid("invalid_case_id", "case_id: at most %d printable ASCII characters without spaces", maxCaseIDLen)
	}
	for _, f := range fields {
		if err == nil && !slices.Contains(Fields, f) {
			err = invalid("invalid_fields", "fields: unknown field (known: %s)", strings.Join(Fields, ", "))
		}
	}
	if err != nil {
		return Revealed{}, s.reject(ctx, ev, err)
	}
	reason, err := s.redactReason(req.Reason)
	if err != nil {
		return Revealed{}, err
	}
	ev.Details = map[string]any{"fields": fields, "reason": reason}
	if req.CaseID != "" {
		ev.Details["case_id"] = req.CaseID
	}
	if d := s.engine.DecideFields(areq, fields); !d.Allow {
		ev.Outcome, ev.Reason = audit.Denied, d.Reason
		if err := s.appendOnly(ctx, ev); err != nil {
			return Revealed{}, err
		}
		return Revealed{}, forbidden(d.Reason)
	}
	var c Customer
	err = s.audited(ctx, ev, func(tx store.Tx, _ *audit.Event) error {
		var err error
		if c, err = s.loadCustomer(ctx, tx, id); err != nil {
			return err
		}
		// Last, so that the audit head stays locked only until the
		// append that follows.
		return s.withinRevealRate(ctx, tx, areq.Principal.ID)
	})
	if err != nil {
		return Revealed{}, err
	}
	return Revealed{ID: id, Fields: pick(c.Profile, fields)}, nil
}

// withinRevealRate refuses a reveal by actor past Options.RevealLimit
// within Options.RevealWindow. It counts the actor's successful reveals in
// the audit log after locking its head (AuditHead), so that no node can
// add a reveal until tx ends: the limit holds across nodes.
func (s *Service) withinRevealRate(ctx context.Context, tx store.Tx, actor string) error {
	if s.opt.RevealLimit < 0 {
		return nil
	}
	if _, _, err := tx.AuditHead(ctx); err != nil {
		return err
	}
	n, err := tx.CountReveals(ctx, actor, s.opt.Now().Add(-s.opt.RevealWindow))
	if err != nil {
		return err
	}
	if n >= s.opt.RevealLimit {
		return apperr.New(apperr.TooManyRequests, "rate_limited",
			"too many reveals: at most %d per %s per user; try again later", s.opt.RevealLimit, s.opt.RevealWindow)
	}
	return nil
}

// Revealed is the answer to a reveal: the customer id and the requested
// fields in clear, and nothing else.
type Revealed struct {
	ID     string
	Fields map[string]any
}

// MarshalJSON renders {"id": ..., "masked": false, <field>: <value>...}.
func (r Revealed) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(r.Fields)+2)
	for k, v := range r.Fields {
		m[k] = v
	}
	m["id"], m["masked"] = r.ID, false
	return json.Marshal(m)
}

// pick returns the named fields of p.
func pick(p Profile, fields []string) map[string]any {
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		out[f] = reflectValue(fieldValue(&p, f))
	}
	return out
}

// reflectValue dereferences a pointer returned by fieldValue.
func reflectValue(ptr any) any {
	switch v := ptr.(type) {
	case *string:
		return *v
	case *[]string:
		return *v
	case **Address:
		return *v
	case *map[string]string:
		return *v
	}
	panic(fmt.Sprintf("records: unexpected field type %T", ptr))
}

// UpdateCustomer applies a JSON merge patch (RFC 7386: objects such as
// address and attributes merge member by member, null deletes) to the
// profile, re-validates it and re-seals it.
func (s *Service) UpdateCustomer(ctx context.Context, id string, patch map[string]json.RawMessage) (Customer, error) {
	resource := "customer/" + id
	if err := s.authorize(ctx, authz.CustomerUpdate, resource, "customer"); err != nil {
		return Customer{}, err
	}
	ev := audit.NewEvent(ctx, string(authz.CustomerUpdate), resource, audit.Success)
	changed := make([]string, 0, len(patch))
	for k := range patch {
		if !slices.Contains(Fields, k) {
			return Customer{}, s.reject(ctx, ev, invalid("unknown_field", "unknown field in patch (known: %s)", strings.Join(Fields, ", ")))
		}
		changed = append(changed, k)
	}
	if len(changed) == 0 {
		return Customer{}, s.reject(ctx, ev, invalid("invalid_patch", "the patch changes nothing"))
	}
	slices.Sort(changed)
	ev.Details = map[string]any{"fields": changed}
	var c Customer
	err := s.audited(ctx, ev, func(tx store.Tx, _ *audit.Event) error {
		cur, err := s.loadCustomer(ctx, tx, id)
		if err != nil {
			return err
		}
		next, err := applyPatch(cur.Profile, patch)
		if err != nil {
			return err
		}
		if err := next.normalize(s.opt.DefaultRegion, s.opt.Now()); err != nil {
			return err
		}
		ks, err := tx.GetCustomerKeyset(ctx, id)
		if err != nil {
			return err
		}
		keys, err := s.vault.OpenCustomerKeys(ctx, id, ks.Wrapped)
		if err != nil {
			return apperr.Wrap(err, "customer keys unavailable")
		}
		row, err := sealProfile(keys, id, next)
		if err != nil {
			return err
		}
		row.CreatedAt, row.UpdatedAt = cur.CreatedAt, s.opt.Now().UTC()
		if err := tx.UpdateCustomer(ctx, row); err != nil {
			return err
		}
		entries, err := s.indexEntries(id, next)
		if err != nil {
			return err
		}
		if err := tx.ReplaceIndexEntries(ctx, id, entries); err != nil {
			return err
		}
		c = Customer{ID: id, Profile: next, CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt}
		return nil
	})
	if err != nil {
		return Customer{}, err
	}
	c.Profile, c.Masked = Mask(c.Profile), true
	return c, nil
}

func applyPatch(cur Profile, patch map[string]json.RawMessage) (Profile, error) {
	var doc any
	if err := json.Unmarshal(marshal(cur), &doc); err != nil {
		return Profile{}, apperr.Wrap(err, "patch")
	}
	var p any
	if err := json.Unmarshal(marshal(patch), &p); err != nil {
		return Profile{}, apperr.Wrap(err, "patch")
	}
	dec := json.NewDecoder(bytes.NewReader(marshal(mergePatch(doc, p))))
	dec.DisallowUnknownFields()
	var next Profile
	if err := dec.Decode(&next); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Profile{}, invalid("invalid_type", "%s: wrong type (expected %s)", te.Field, te.Type)
		}
		if strings.HasPrefix(err.Error(), "json: unknown field ") {
			return Profile{}, invalid("unknown_field", "unknown field in patch")
		}
		return Profile{}, invalid("invalid_patch", "the patch does not form a valid profile")
	}
	return next, nil
}

// mergePatch applies an RFC 7386 JSON merge patch to target: objects merge
// recursively, null deletes a member, anything else replaces.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = mergePatch(t[k], v)
	}
	return t
}

// loadCustomer reads and opens a customer inside tx.
func (s *Service) loadCustomer(ctx context.Context, tx store.Tx, id string) (Customer, error) {
	if !validID(id) {
		return Customer{}, apperr.NotFoundErr("customer")
	}
	row, err := tx.GetCustomer(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Customer{}, apperr.NotFoundErr("customer")
	} else if err != nil {
		return Customer{}, err
	}
	ks, err := tx.GetCustomerKeyset(ctx, id)
	if err != nil {
		return Customer{}, err
	}
	keys, err := s.vault.OpenCustomerKeys(ctx, id, ks.Wrapped)
	if err != nil {
		return Customer{}, apperr.Wrap(err, "customer keys unavailable")
	}
	p, err := openProfile(keys, row)
	if err != nil {
		return Customer{}, err
	}
	return Customer{ID: id, Profile: p, CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt}, nil
}

// profileColumns pairs each field with its column in store.Customer.
func profileColumns(c *store.Customer) []struct {
	name string
	col  *[]byte
} {
	return []struct {
		name string
		col  *[]byte
	}{
		{"name", &c.Name}, {"phones", &c.Phones}, {"emails", &c.Emails}, {"address", &c.Address},
		{"date_of_birth", &c.DateOfBirth}, {"account_numbers", &c.AccountNumbers}, {"attributes", &c.Attributes},
	}
}

func fieldValue(p *Profile, name string) any {
	switch name {
	case "name":
		return &p.Name
	case "phones":
		return &p.Phones
	case "emails":
		return &p.Emails
	case "address":
		return &p.Address
	case "date_of_birth":
		return &p.DateOfBirth
	case "account_numbers":
		return &p.AccountNumbers
	case "attributes":
		return &p.Attributes
	}
	panic("records: unknown field " + name)
}

// sealProfile seals each field separately, bound to its table, column and row.
func sealProfile(keys *vault.CustomerKeys, id string, p Profile) (store.Customer, error) {
	row := store.Customer{ID: id}
	for _, f := range profileColumns(&row) {
		ct, err := keys.Seal(marshal(fieldValue(&p, f.name)), vault.FieldAD{Table: tableCustomers, Column: f.name, Row: id})
		if err != nil {
			return store.Customer{}, apperr.Wrap(err, "encryption failed")
		}
		*f.col = ct
	}
	return row, nil
}

func openProfile(keys *vault.CustomerKeys, row store.Customer) (Profile, error) {
	var p Profile
	for _, f := range profileColumns(&row) {
		pt, err := keys.Open(*f.col, vault.FieldAD{Table: tableCustomers, Column: f.name, Row: row.ID})
		if err != nil {
			return Profile{}, apperr.Wrap(err, "decryption failed")
		}
		if err := json.Unmarshal(pt, fieldValue(&p, f.name)); err != nil {
			return Profile{}, apperr.Wrap(err, "corrupt profile field")
		}
	}
	return p, nil
}

// indexEntries computes the blind-index rows for p under the primary key.
func (s *Service) indexEntries(id string, p Profile) ([]store.IndexEntry, error) {
	var out []store.IndexEntry
	add := func(purpose string, values []string) error {
		for _, v := range values {
			hs, err := s.vault.IndexHashes(purpose, []byte(v))
			if err != nil {
				return apperr.Wrap(err, "blind index unavailable")
			}
			out = append(out, store.IndexEntry{Purpose: purpose, KeyID: hs[0].KeyID, Hash: hs[0].Sum, CustomerID: id})
		}
		return nil
	}
	if err := add(purposePhone, p.Phones); err != nil {
		return nil, err
	}
	if err := add(purposeEmail, p.Emails); err != nil {
		return nil, err
	}
	return out, nil
}

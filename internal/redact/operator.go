package redact

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
)

// Operator says what replaces a detected value.
type Operator string

// The operators.
const (
	// OpPlaceholder replaces the value by its type: "[CARD_NUMBER]".
	OpPlaceholder Operator = "placeholder"
	// OpMask keeps the last four digits ("************1111"; cards may keep
	// the BIN too, see Config.CardKeepBIN). Types without digits worth
	// keeping fall back to the placeholder.
	OpMask Operator = "mask"
	// OpPseudonym replaces the value by a fake one derived from it with a
	// keyed hash, so the same value maps to the same fake within a key's
	// scope (an interaction or a customer): names by names, emails by
	// example.com addresses, phones by 555-01xx numbers.
	OpPseudonym Operator = "pseudonym"
	// OpHash replaces the value by a keyed hash: "[EMAIL:3f2a…]".
	OpHash Operator = "hash"
)

// ParseOperator returns the operator named s.
func ParseOperator(s string) (Operator, error) {
	switch o := Operator(strings.ToLower(strings.TrimSpace(s))); o {
	case OpPlaceholder, OpMask, OpPseudonym, OpHash:
		return o, nil
	}
	return "", fmt.Errorf("redact: unknown operator %q (want placeholder, mask, pseudonym or hash)", s)
}

// MinKeyBytes is the shortest key accepted for keyed operators.
const MinKeyBytes = 32

// maskable are the types whose masked form keeps the last four digits.
var maskable = setOf([]EntityType{CardNumber, BankAccount, IBAN, Phone, SSN, ITIN, Passport, DriversLicense, RoutingNumber})

// renderValue returns the replacement text for a detection. text is the original
// text of its first part, used as the value when the detector kept none.
func (r *Redactor) renderValue(d *detection, text string) string {
	op := r.operatorFor(d.typ)
	if op == OpPlaceholder {
		return d.typ.placeholder()
	}
	value := d.value
	if value == "" {
		value = strings.ToLower(strings.Join(strings.Fields(text), " "))
	}
	switch op {
	case OpMask:
		if maskable.has(d.typ) && len(value) > 4 {
			keepHead := 0
			if d.typ == CardNumber && r.cfg.CardKeepBIN && len(value) >= 13 {
				keepHead = 6
			}
			return mask(value, keepHead, 4)
		}
	case OpPseudonym:
		return r.pseudonym(d.typ, value)
	case OpHash:
		return "[" + string(d.typ) + ":" + hex.EncodeToString(r.mac("hash", d.typ, value)[:8]) + "]"
	}
	return d.typ.placeholder()
}

func (r *Redactor) operatorFor(t EntityType) Operator {
	for _, a := range alwaysRemoved {
		if t == a {
			return OpPlaceholder
		}
	}
	if op, ok := r.cfg.Operators[t]; ok {
		return op
	}
	if r.cfg.DefaultOperator != "" {
		return r.cfg.DefaultOperator
	}
	return OpPlaceholder
}

// mask replaces all but the first head and last tail characters of value
// by '*'.
func mask(value string, head, tail int) string {
	b := []byte(value)
	for i := head; i < len(b)-tail; i++ {
		b[i] = '*'
	}
	return string(b)
}

func (r *Redactor) mac(purpose string, t EntityType, value string) []byte {
	h := hmac.New(sha256.New, r.cfg.Key)
	h.Write([]byte(purpose))
	h.Write([]byte{0})
	h.Write([]byte(t))
	h.Write([]byte{0})
	h.Write([]byte(value))
	return h.Sum(nil)
}

// fakeNames are the given names and surnames pseudonyms are drawn from.
var fakeNames = sync.OnceValues(func() ([]string, []string) {
	pick := func(data string, n int) []string {
		var out []string
		for line := range strings.Lines(data) {
			w := strings.TrimSpace(line)
			if w == "" || strings.HasPrefix(w, "~") {
				continue
			}
			out = append(out, strings.ToUpper(w[:1])+w[1:])
			if len(out) == n {
				break
			}
		}
		return out
	}
	return pick(firstNamesData, 500), pick(surnamesData, 300)
})

func (r *Redactor) pseudonym(t EntityType, value string) string {
	sum := r.mac("pseudonym", t, value)
	firsts, lasts := fakeNames()
	first := firsts[binary.BigEndian.Uint32(sum[0:4])%uint32(len(firsts))]
	last := lasts[binary.BigEndian.Uint32(sum[4:8])%uint32(len(lasts))]
	switch t {
	case Person:
		return first + " " + last
	case Email:
		return strings.ToLower(first+"."+last) + "@example.com"
	case Phone:
		return fmt.Sprintf("555-01%02d", sum[8]%100)
	case Address:
		return fmt.Sprintf("%d %s Street", 1+binary.BigEndian.Uint16(sum[8:10])%9999, last)
	}
	return "[" + string(t) + "-" + hex.EncodeToString(sum[:4]) + "]"
}

package redact

import (
	"fmt"
	"slices"
	"strings"
)

// EntityType names a kind of sensitive data. Its string form is the
// placeholder text written in place of a removed value: "[CARD_NUMBER]".
type EntityType string

// The entity types the package detects.
const (
	CardNumber     EntityType = "CARD_NUMBER"
	CardCVV        EntityType = "CARD_CVV"
	CardExpiry     EntityType = "CARD_EXPIRY"
	PIN            EntityType = "PIN"
	SSN            EntityType = "SSN"
	ITIN           EntityType = "ITIN"
	UKNINO         EntityType = "UK_NINO"
	BankAccount    EntityType = "BANK_ACCOUNT"
	RoutingNumber  EntityType = "ROUTING_NUMBER"
	IBAN           EntityType = "IBAN"
	SortCode       EntityType = "SORT_CODE"
	Phone          EntityType = "PHONE"
	Email          EntityType = "EMAIL"
	DateOfBirth    EntityType = "DATE_OF_BIRTH"
	Address        EntityType = "ADDRESS"
	Person         EntityType = "PERSON"
	Password       EntityType = "PASSWORD"
	SecurityAnswer EntityType = "SECURITY_ANSWER"
	IPAddress      EntityType = "IP_ADDRESS"
	Passport       EntityType = "PASSPORT"
	DriversLicense EntityType = "DRIVERS_LICENSE"
)

// AllEntities lists every entity type, most sensitive first. When two
// detections overlap, the one listed first names the merged span.
var AllEntities = []EntityType{
	CardNumber, CardCVV, PIN, CardExpiry, SSN, ITIN, UKNINO, IBAN,
	RoutingNumber, BankAccount, SortCode, Password, SecurityAnswer,
	Passport, DriversLicense, DateOfBirth, Email, Phone, IPAddress,
	Address, Person,
}

// alwaysRemoved are the types whose values are removed with a placeholder
// whatever the configured operator: PCI DSS 3.3.1 forbids keeping card
// security codes, and PINs get the same treatment.
var alwaysRemoved = []EntityType{CardCVV, PIN}

// ParseEntityType returns the entity type named s (case-insensitive).
func ParseEntityType(s string) (EntityType, error) {
	t := EntityType(strings.ToUpper(strings.TrimSpace(s)))
	if !slices.Contains(AllEntities, t) {
		return "", fmt.Errorf("redact: unknown entity type %q", s)
	}
	return t, nil
}

// priority orders entity types for overlap resolution; lower wins. It is
// the type's index in AllEntities, or len(AllEntities) for an unknown type;
// a switch, because it runs for every detection and a map lookup costs
// more.
func (t EntityType) priority() int {
	switch t {
	case CardNumber:
		return 0
	case CardCVV:
		return 1
	case PIN:
		return 2
	case CardExpiry:
		return 3
	case SSN:
		return 4
	case ITIN:
		return 5
	case UKNINO:
		return 6
	case IBAN:
		return 7
	case RoutingNumber:
		return 8
	case BankAccount:
		return 9
	case SortCode:
		return 10
	case Password:
		return 11
	case SecurityAnswer:
		return 12
	case Passport:
		return 13
	case DriversLicense:
		return 14
	case DateOfBirth:
		return 15
	case Email:
		return 16
	case Phone:
		return 17
	case IPAddress:
		return 18
	case Address:
		return 19
	case Person:
		return 20
	}
	return len(AllEntities)
}

// entitySet is a set of entity types as a bit mask over AllEntities.
type entitySet uint32

func (s entitySet) has(t EntityType) bool { return s&(1<<t.priority()) != 0 }

func setOf(types []EntityType) entitySet {
	var s entitySet
	for _, t := range types {
		s |= 1 << t.priority()
	}
	return s
}

// Counts holds how many entities of each type were found. It never holds
// values.
type Counts map[EntityType]int

// Add adds the counts of o to c.
func (c Counts) Add(o Counts) {
	for t, n := range o {
		c[t] += n
	}
}

// Total is the number of entities of all types.
func (c Counts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// placeholders holds "[TYPE]" for every type by priority, so rendering
// does not allocate.
var placeholders = func() []string {
	p := make([]string, len(AllEntities))
	for i, t := range AllEntities {
		p[i] = "[" + string(t) + "]"
	}
	return p
}()

// placeholder returns the text that replaces a removed value: "[CARD_NUMBER]".
func (t EntityType) placeholder() string {
	if p := t.priority(); p < len(placeholders) {
		return placeholders[p]
	}
	return "[" + string(t) + "]"
}

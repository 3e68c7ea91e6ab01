package redact

import (
	"regexp"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// numberPlan is one region's numbering plan from libphonenumber's metadata
// (github.com/nyaruka/phonenumbers), its patterns compiled once.
//
// valid gives the answer of phonenumbers.IsValidNumberForRegion for the
// number's national significant digits: the number matches the general
// description and at least one number type. The library answers the same
// question by classifying the number, and builds each pattern's anchored
// source (several kilobytes for some regions) and looks it up in its cache
// for every description it tries; on text full of phone numbers that made
// validation the largest single cost of redaction.
type numberPlan struct {
	md      *phonenumbers.PhoneMetadata
	once    sync.Once // compiles the patterns on first use
	general numberDesc
	types   []numberDesc // the types whose match makes a number valid
}

// numberDesc is a number type's description: possible lengths and pattern.
type numberDesc struct {
	lengths      uint64 // bit n: n digits possible; used when anyLength is false
	anyLength    bool   // the metadata lists no lengths
	pattern      *regexp.Regexp
	neverMatches bool // no pattern, or lengths that exclude every number
}

// planKey names a plan: non-geographical plans share the region "001" and
// differ by calling code.
type planKey struct {
	region string
	cc     int32
}

// numberPlans returns the numbering plans of all regions from the metadata
// libphonenumber itself loads. A plan compiles its patterns when first used
// (all of them take a tenth of a second).
var numberPlans = sync.OnceValue(func() map[planKey]*numberPlan {
	plans := map[planKey]*numberPlan{}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return plans // every number then fails validation
	}
	for _, md := range coll.GetMetadata() {
		plans[planKey{md.GetId(), md.GetCountryCode()}] = &numberPlan{md: md}
	}
	return plans
})

// compile builds the plan's descriptions from its metadata.
func (p *numberPlan) compile() {
	md := p.md
	p.general = newNumberDesc(md.GetGeneralDesc())
	for _, d := range []*phonenumbers.PhoneNumberDesc{md.GetPremiumRate(), md.GetTollFree(), md.GetSharedCost(),
		md.GetVoip(), md.GetPersonalNumber(), md.GetPager(), md.GetUan(), md.GetVoicemail(), md.GetFixedLine()} {
		p.types = append(p.types, newNumberDesc(d))
	}
	// The library tries mobile patterns only when they differ from the
	// fixed-line ones.
	if !md.GetSameMobileAndFixedLinePattern() {
		p.types = append(p.types, newNumberDesc(md.GetMobile()))
	}
}

func newNumberDesc(d *phonenumbers.PhoneNumberDesc) numberDesc {
	nd := numberDesc{anyLength: len(d.GetPossibleLength()) == 0}
	for _, l := range d.GetPossibleLength() {
		if l > 0 && l < 64 {
			nd.lengths |= 1 << l
		}
	}
	if src := d.GetNationalNumberPattern(); src != "" {
		nd.pattern = regexp.MustCompile("^(?:" + src + ")$")
	}
	nd.neverMatches = nd.pattern == nil || !nd.anyLength && nd.lengths == 0
	return nd
}

// matches reports whether the national significant number nsn has a
// possible length and matches the pattern.
func (d *numberDesc) matches(nsn []byte) bool {
	if d.neverMatches || !d.anyLength && (len(nsn) >= 64 || d.lengths&(1<<len(nsn)) == 0) {
		return false
	}
	return d.pattern.Match(nsn)
}

// valid reports whether nsn is a valid number of the plan.
func (p *numberPlan) valid(nsn []byte) bool {
	p.once.Do(p.compile)
	if !p.general.matches(nsn) {
		return false
	}
	for k := range p.types {
		if p.types[k].matches(nsn) {
			return true
		}
	}
	return false
}

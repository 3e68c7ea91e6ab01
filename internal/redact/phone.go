package redact

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// DefaultPhoneRegions are the regions whose national numbering plans are
// tried for numbers written without a country code.
var DefaultPhoneRegions = []string{"US", "GB", "IE", "CA", "AU", "DE", "FR", "ES", "IT", "NL"}

// phoneChecker validates candidate digit strings with libphonenumber's
// metadata (github.com/nyaruka/phonenumbers).
type phoneChecker struct {
	regions []string
	codes   []int32 // calling code of each region
}

func newPhoneChecker(regions []string) (*phoneChecker, error) {
	if len(regions) == 0 {
		regions = DefaultPhoneRegions
	}
	p := &phoneChecker{}
	for _, r := range regions {
		r = strings.ToUpper(strings.TrimSpace(r))
		cc := phonenumbers.GetCountryCodeForRegion(r)
		if cc == 0 {
			return nil, fmt.Errorf("redact: unknown phone region %q", r)
		}
		p.regions, p.codes = append(p.regions, r), append(p.codes, int32(cc))
		// Prepare what validation needs now rather than in the first
		// redaction: the plan's patterns and North America's area codes.
		if plan := numberPlans()[planKey{r, int32(cc)}]; plan != nil {
			plan.once.Do(plan.compile)
		}
		if cc == 1 {
			nanpAreaCodes(r)
		}
	}
	return p, nil
}

// valid reports whether digits form a valid number: international when plus
// is set (or the digits start with a country code after "00"), otherwise
// national in one of the regions.
func (p *phoneChecker) valid(digits []byte, plus bool) bool {
	if plus {
		return internationalValid(digits)
	}
	if len(digits) >= 10 && digits[0] == '0' && digits[1] == '0' {
		return internationalValid(digits[2:])
	}
	for k, r := range p.regions {
		if !plausible(digits, r) {
			continue
		}
		// For North America plausible has already checked the numbering plan:
		// an assigned area code and an exchange starting 2–9.
		if p.codes[k] == 1 || nationalValid(digits, r, p.codes[k]) {
			return true
		}
	}
	return false
}

// nationalValid checks digits as a national number of region (calling code
// cc) against the region's numbering plan, as
// phonenumbers.IsValidNumberForRegion does (see numberPlan). It builds the
// number directly rather than with phonenumbers.Parse, whose input
// normalization dominates the cost of a check.
func nationalValid(d []byte, region string, cc int32) bool {
	leadingZeros := int32(0)
	switch {
	case cc == 1:
		if len(d) == 11 && d[0] == '1' {
			d = d[1:]
		}
	case region == "IT":
		for _, c := range d {
			if c != '0' {
				break
			}
			leadingZeros++
		}
	case len(d) > 0 && d[0] == '0':
		d = d[1:] // the trunk prefix
	}
	if len(d) < 4 || len(d) > 17 {
		return false
	}
	var v uint64
	for _, c := range d {
		v = v*10 + uint64(c-'0')
	}
	// The national significant number as libphonenumber writes it: the
	// value, after Italy's leading zeros.
	var buf [40]byte
	nsn := buf[:leadingZeros]
	for k := range nsn {
		nsn[k] = '0'
	}
	nsn = strconv.AppendUint(nsn, v, 10)
	plan := numberPlans()[planKey{region, cc}]
	return plan != nil && plan.valid(nsn)
}

// plausible is a cheap filter before libphonenumber's regular expressions:
// North American numbers have ten digits (or eleven after a 1) with area
// code and exchange starting 2–9; most other national numbers start with a
// trunk 0.
func plausible(d []byte, region string) bool {
	switch region {
	case "US", "CA", "PR", "GU", "VI", "AS", "MP", "BS", "BB", "JM", "TT", "DO":
		if len(d) == 11 && d[0] == '1' {
			d = d[1:]
		}
		return len(d) == 10 && d[0] >= '2' && d[3] >= '2' && nanpAreaCodes(region)[prefixInt(d, 3)]
	case "IT", "ES", "PT", "DK", "NO", "GR", "LU":
		return true // no trunk prefix
	}
	return len(d) >= 8 && d[0] == '0'
}

// internationalValid checks digits that start with a country calling code
// (one to three digits) against that country's numbering plan.
func internationalValid(d []byte) bool {
	for k := 1; k <= 3 && k < len(d); k++ {
		cc := int32(prefixInt(d, k))
		region := phonenumbers.GetRegionCodeForCountryCode(int(cc))
		switch {
		case cc == 1:
			return plausible(d[k:], region)
		case region != "ZZ" && region != "":
			return nationalValid(d[k:], region, cc)
		}
	}
	return false
}

// nanpTables caches, per North American region, which three-digit area
// codes its numbering plan assigns.
var nanpTables sync.Map // region -> *[1000]bool

// nanpAreaCodes returns the assigned area codes of a North American region,
// derived once from libphonenumber's metadata by validating a typical
// subscriber number under each code. Checking the area code first keeps the
// metadata's regular expressions off the hot path for unassigned codes.
func nanpAreaCodes(region string) *[1000]bool {
	if t, ok := nanpTables.Load(region); ok {
		return t.(*[1000]bool)
	}
	var t [1000]bool
	cc := int32(phonenumbers.GetCountryCodeForRegion(region))
	for npa := 200; npa < 1000; npa++ {
		for _, sub := range []string{"2345678", "5550123", "8675309", "4567890"} {
			if nationalValid([]byte(fmt.Sprintf("%d%s", npa, sub)), region, cc) {
				t[npa] = true
				break
			}
		}
	}
	v, _ := nanpTables.LoadOrStore(region, &t)
	return v.(*[1000]bool)
}

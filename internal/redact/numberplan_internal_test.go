package redact

import (
	"strconv"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// planRegions are the regions the plan tests compare, with their calling
// codes; "001" is the non-geographical plan of +800.
var planRegions = []planKey{{"US", 1}, {"GB", 44}, {"IE", 353}, {"CA", 1}, {"AU", 61}, {"DE", 49}, {"FR", 33},
	{"ES", 34}, {"IT", 39}, {"NL", 31}, {"BR", 55}, {"IN", 91}, {"JP", 81}, {"001", 800}}

// libraryValid is the reference numberPlan.valid stands for.
func libraryValid(nsn string, k planKey) bool {
	zeros := int32(0)
	for zeros < int32(len(nsn))-1 && nsn[zeros] == '0' {
		zeros++
	}
	v, err := strconv.ParseUint(nsn, 10, 64)
	if err != nil {
		return false
	}
	cc := k.cc
	num := &phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &v}
	if zeros > 0 {
		yes := true
		num.ItalianLeadingZero, num.NumberOfLeadingZeros = &yes, &zeros
	}
	return phonenumbers.IsValidNumberForRegion(num, k.region)
}

// TestNumberPlanMatchesLibrary compares the compiled plans with
// phonenumbers.IsValidNumberForRegion on each region's example numbers of
// every type and on numbers one digit off.
func TestNumberPlanMatchesLibrary(t *testing.T) {
	types := []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE,
		phonenumbers.PREMIUM_RATE, phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER,
		phonenumbers.PAGER, phonenumbers.UAN, phonenumbers.VOICEMAIL}
	valid := 0
	for _, k := range planRegions {
		plan := numberPlans()[k]
		if plan == nil {
			t.Fatalf("no plan for %v", k)
		}
		for _, typ := range types {
			var ex *phonenumbers.PhoneNumber
			if k.region == "001" {
				ex = phonenumbers.GetExampleNumberForNonGeoEntity(int(k.cc))
			} else {
				ex = phonenumbers.GetExampleNumberForType(k.region, typ)
			}
			if ex == nil {
				continue
			}
			nsn := phonenumbers.GetNationalSignificantNumber(ex)
			for _, n := range []string{nsn, nsn + "1", nsn[:len(nsn)-1], "9" + nsn[1:], "0" + nsn} {
				want := libraryValid(n, k)
				if got := plan.valid([]byte(n)); got != want {
					t.Errorf("%v %s: plan says %v, libphonenumber %v", k, n, got, want)
				}
				if want {
					valid++
				}
			}
		}
	}
	if valid < len(planRegions) {
		t.Errorf("only %d valid example numbers compared; the test compares too little", valid)
	}
}

// FuzzNumberPlan compares the compiled plans with the library on any digits.
func FuzzNumberPlan(f *testing.F) {
	f.Add("2079460958", uint8(1))
	f.Add("0612345678", uint8(8))
	f.Add("2015550123", uint8(0))
	f.Fuzz(func(t *testing.T, digits string, region uint8) {
		if len(digits) == 0 || len(digits) > 17 {
			return
		}
		for _, c := range []byte(digits) {
			if c < '0' || c > '9' {
				return
			}
		}
		k := planRegions[int(region)%len(planRegions)]
		if got, want := numberPlans()[k].valid([]byte(digits)), libraryValid(digits, k); got != want {
			t.Fatalf("%v %s: plan says %v, libphonenumber %v", k, digits, got, want)
		}
	})
}

package corpus

import (
	"fmt"
	"strings"

	"github.com/confide-cc/confide/internal/redact"
)

var firstNames = []string{"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
	"Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Daniel", "Karen",
	"Matthew", "Nancy", "Anthony", "Lisa", "Mark", "Betty", "Steven", "Sandra", "Andrew", "Ashley", "Joshua", "Emily",
	"Kevin", "Michelle", "Brian", "Amanda", "Priya", "Mohammed", "Wei", "Olga", "Siobhan", "Aisha", "Carlos", "Lucia"}

var surnames = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
	"Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Thompson",
	"Harris", "Clark", "Lewis", "Robinson", "Walker", "Nguyen", "Patel", "Kowalczyk", "Okafor", "Lindqvist", "Abernathy",
	"O'Brien", "Fitzgerald", "Schmidt", "Rossi", "Dubois", "Murphy", "Chen", "Kim", "Singh"}

var streets = []string{"Oak", "Maple", "Cedar", "Pine", "Elm", "Washington", "Lake", "Hill", "Park", "Sunset", "Highland",
	"Baker", "Mill Creek", "Old Orchard", "North Main", "5th", "Church", "Station", "Victoria"}
var streetTypes = []string{"Street", "Avenue", "Road", "Lane", "Drive", "Boulevard", "Court", "Way", "Place", "St", "Ave", "Rd"}
var cities = []string{"Springfield, IL 62704", "Austin, TX 78701", "Portland, OR 97205", "Denver, CO 80202", "Columbus, OH 43215"}
var domains = []string{"gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "acme.co.uk", "example.org"}

func (g *gen) name() (string, string) {
	return firstNames[g.r.IntN(len(firstNames))], surnames[g.r.IntN(len(surnames))]
}

// cardValue emits a card number in a random surface form and returns the
// digits.
func (g *gen) cardValue() string {
	d := card(g.r)
	switch g.r.IntN(7) {
	case 0:
		g.pii(redact.CardNumber, "grouped", group(d, " ", cardGroups(d)...))
	case 1:
		g.pii(redact.CardNumber, "dashed", group(d, "-", cardGroups(d)...))
	case 2:
		g.pii(redact.CardNumber, "plain", d)
	case 3:
		g.pii(redact.CardNumber, "spoken", spell(g.r, d, false))
	case 4:
		g.pii(redact.CardNumber, "spoken_fancy", spell(g.r, d, true))
	case 5:
		g.pii(redact.CardNumber, "mixed", d[:4]+" "+d[4:8]+" "+spell(g.r, d[8:], false))
	default:
		g.pii(redact.CardNumber, "homophone", homophones(g.r, spell(g.r, d, false)))
	}
	return d
}

// splitCard reads a card number across customer turns interrupted by agent
// backchannels.
func (g *gen) splitCard() {
	d := card(g.r)
	cut := 4 * (1 + g.r.IntN(len(d)/4-1))
	spoken := g.chance(0.7)
	say := func(s string) string {
		if spoken {
			return spell(g.r, s, false)
		}
		return group(s, " ", 4, 4, 4, 4)
	}
	g.pii(redact.CardNumber, "split", say(d[:cut]))
	g.turn("agent")
	g.say(g.pick("mhm", "uh huh", "okay", "yes", "mm-hmm", "go ahead", "okay go on"))
	g.turn("customer")
	if g.chance(0.3) {
		g.say(g.pick("uh", "um", "and"))
	}
	g.pii(redact.CardNumber, "split", say(d[cut:]))
}

func (g *gen) expiryValue() {
	m, y := 1+g.r.IntN(12), 25+g.r.IntN(10)
	switch g.r.IntN(5) {
	case 0:
		g.pii(redact.CardExpiry, "written", fmt.Sprintf("%02d/%02d", m, y))
	case 1:
		g.pii(redact.CardExpiry, "written", fmt.Sprintf("%02d/20%02d", m, y))
	case 2:
		g.pii(redact.CardExpiry, "spoken", twoDigits(m)+" "+twoDigits(y))
	case 3:
		g.pii(redact.CardExpiry, "month_name", months[m-1]+" twenty "+twoDigits(y))
	default:
		g.pii(redact.CardExpiry, "month_name", title(months[m-1])+fmt.Sprintf(" 20%02d", y))
	}
}

func (g *gen) cvvValue(n int) {
	d := string(digits(g.r, n))
	if g.chance(0.5) {
		g.pii(redact.CardCVV, "written", d)
	} else {
		g.pii(redact.CardCVV, "spoken", spell(g.r, d, false))
	}
}

func (g *gen) ssnValue() {
	d := ssn(g.r)
	switch g.r.IntN(3) {
	case 0:
		g.pii(redact.SSN, "dashed", group(d, "-", 3, 2, 4))
	case 1:
		g.pii(redact.SSN, "spoken", spell(g.r, d, g.chance(0.5)))
	default:
		g.pii(redact.SSN, "spaced", group(d, " ", 3, 2, 4))
	}
}

func (g *gen) phoneValue() {
	d := usPhone(g.r)
	switch g.r.IntN(6) {
	case 0:
		g.pii(redact.Phone, "formatted", fmt.Sprintf("(%s) %s-%s", d[:3], d[3:6], d[6:]))
	case 1:
		g.pii(redact.Phone, "dashed", group(d, "-", 3, 3, 4))
	case 2:
		g.pii(redact.Phone, "dotted", group(d, ".", 3, 3, 4))
	case 3:
		g.pii(redact.Phone, "international", "+1 "+group(d, " ", 3, 3, 4))
	case 4:
		g.pii(redact.Phone, "spoken", spell(g.r, d, g.chance(0.5)))
	default:
		g.pii(redact.Phone, "uk", "+44 20 7946 0"+string(digits(g.r, 3)))
	}
}

func (g *gen) emailValue(first, last string) {
	f, l := strings.ToLower(first), strings.ToLower(strings.ReplaceAll(last, "'", ""))
	dom := domains[g.r.IntN(len(domains))]
	switch g.r.IntN(4) {
	case 0:
		g.pii(redact.Email, "written", f+"."+l+"@"+dom)
	case 1:
		g.pii(redact.Email, "written", f[:1]+l+fmt.Sprint(g.r.IntN(100))+"@"+dom)
	case 2:
		g.pii(redact.Email, "spelled", f[:1]+" dot "+l+" at "+strings.ReplaceAll(dom, ".", " dot "))
	default:
		g.pii(redact.Email, "spelled", f+l+" at "+strings.ReplaceAll(dom, ".", " dot "))
	}
}

func (g *gen) addressValue(spoken bool) {
	n := 1 + g.r.IntN(9999)
	street := streets[g.r.IntN(len(streets))] + " " + streetTypes[g.r.IntN(len(streetTypes))]
	switch {
	case spoken && n >= 1000 && n%100 == 0:
		g.pii(redact.Address, "spoken", twoDigits(n/100)+" hundred "+strings.ToLower(street))
	case spoken && n >= 1000:
		g.pii(redact.Address, "spoken", twoDigits(n/100)+" "+twoDigits(n%100)+" "+strings.ToLower(street))
	case spoken:
		g.pii(redact.Address, "spoken", fmt.Sprint(n)+" "+strings.ToLower(street))
	case g.chance(0.15):
		g.pii(redact.Address, "uk", fmt.Sprint(n%300)+"B Baker Street, London NW1 6XE")
	case g.chance(0.15):
		g.pii(redact.Address, "eu", fmt.Sprintf("Hauptstraße %d, 10115 Berlin", n%200+1))
	case g.chance(0.4):
		g.pii(redact.Address, "full", fmt.Sprintf("%d %s, Apt %d, %s", n, street, 1+g.r.IntN(40), cities[g.r.IntN(len(cities))]))
	default:
		g.pii(redact.Address, "street", fmt.Sprintf("%d %s", n, street))
	}
}

func (g *gen) dobValue() {
	d, m, y := 1+g.r.IntN(28), 1+g.r.IntN(12), 1940+g.r.IntN(65)
	switch g.r.IntN(4) {
	case 0:
		g.pii(redact.DateOfBirth, "numeric", fmt.Sprintf("%d/%d/%02d", m, d, y%100))
	case 1:
		g.pii(redact.DateOfBirth, "numeric", fmt.Sprintf("%02d/%02d/%d", m, d, y))
	case 2:
		g.pii(redact.DateOfBirth, "spoken", months[m-1]+" "+ordinalWords(d)+" "+twoDigits(y/100)+" "+twoDigits(y%100))
	default:
		g.pii(redact.DateOfBirth, "written", fmt.Sprintf("%d %s %d", d, title(months[m-1]), y))
	}
}

package authz

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/confide-cc/confide/internal/identity"
)

// Options are the operator's conditions (configuration): working hours per
// team, allowed networks per role, and whether customer data needs current
// security training.
type Options struct {
	// Hours maps a team to its working hours. A team without an entry
	// (and a principal without a team) is always within hours.
	Hours map[string]WorkingHours
	// Networks maps a role to the client networks it may act from. A role
	// without an entry may act from anywhere; a principal must satisfy the
	// list of every role it holds.
	Networks map[string][]netip.Prefix
	// RequireTraining denies people customer data unless their training
	// attestation (attribute training_until) is in the future.
	RequireTraining bool
}

func (o Options) withDefaults() Options { return o }

// WorkingHours are a team's hours: on the given weekdays, from Start to
// End (minutes after midnight) in Location. End before Start spans
// midnight (the hours after midnight belong to the day they start on).
type WorkingHours struct {
	Location *time.Location
	Days     [7]bool // indexed by time.Weekday
	Start    int     // minutes after midnight
	End      int
}

// Contains reports whether t is within the hours.
func (h WorkingHours) Contains(t time.Time) bool {
	lt := t.In(h.Location)
	m := lt.Hour()*60 + lt.Minute()
	day := lt.Weekday()
	if h.Start <= h.End {
		return h.Days[day] && m >= h.Start && m < h.End
	}
	// Spans midnight.
	if h.Days[day] && m >= h.Start {
		return true
	}
	return h.Days[(day+6)%7] && m < h.End
}

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// ParseWorkingHours reads the working_hours setting: entries separated by
// ";", each "TEAM=ZONE DAYS HH:MM-HH:MM", where ZONE is an IANA time zone
// and DAYS a comma-separated list of days or ranges (mon-fri,sat). Example:
// "support=Europe/London mon-fri 08:00-18:00; night=UTC mon-sun 22:00-06:00".
func ParseWorkingHours(s string) (map[string]WorkingHours, error) {
	out := map[string]WorkingHours{}
	for _, entry := range strings.Split(s, ";") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		team, spec, ok := strings.Cut(entry, "=")
		team = strings.TrimSpace(team)
		if !ok || team == "" {
			return nil, fmt.Errorf("%q: want TEAM=ZONE DAYS HH:MM-HH:MM", entry)
		}
		if _, dup := out[team]; dup {
			return nil, fmt.Errorf("team %q: hours given twice", team)
		}
		parts := strings.Fields(spec)
		if len(parts) != 3 {
			return nil, fmt.Errorf("team %q: want ZONE DAYS HH:MM-HH:MM", team)
		}
		loc, err := time.LoadLocation(parts[0])
		if err != nil || parts[0] == "" || strings.EqualFold(parts[0], "local") {
			return nil, fmt.Errorf("team %q: unknown time zone %q (use an IANA name such as Europe/Paris)", team, parts[0])
		}
		h := WorkingHours{Location: loc}
		for _, d := range strings.Split(strings.ToLower(parts[1]), ",") {
			from, to, isRange := strings.Cut(d, "-")
			a, okA := weekdays[from]
			b, okB := weekdays[to]
			if !okA || (isRange && !okB) {
				return nil, fmt.Errorf("team %q: bad days %q (use mon,tue,... or ranges such as mon-fri)", team, parts[1])
			}
			if !isRange {
				b = a
			}
			for w := a; ; w = (w + 1) % 7 {
				h.Days[w] = true
				if w == b {
					break
				}
			}
		}
		start, end, ok := strings.Cut(parts[2], "-")
		if h.Start, err = parseClock(start); err != nil || !ok {
			return nil, fmt.Errorf("team %q: bad hours %q (use HH:MM-HH:MM)", team, parts[2])
		}
		if h.End, err = parseClock(end); err != nil {
			return nil, fmt.Errorf("team %q: bad hours %q (use HH:MM-HH:MM)", team, parts[2])
		}
		if h.Start == h.End {
			return nil, fmt.Errorf("team %q: hours %q are empty", team, parts[2])
		}
		out[team] = h
	}
	return out, nil
}

func parseClock(s string) (int, error) {
	var hh, mm int
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("bad time")
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &hh, &mm); err != nil || hh > 24 || mm > 59 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("bad time")
	}
	return hh*60 + mm, nil
}

// ParseNetworks reads the role_networks setting: entries separated by ";",
// each "ROLE=CIDR[,CIDR...]". Example: "agent=10.20.0.0/16,192.0.2.0/24;
// it_support=10.99.0.0/24".
func ParseNetworks(s string) (map[string][]netip.Prefix, error) {
	out := map[string][]netip.Prefix{}
	for _, entry := range strings.Split(s, ";") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		role, list, ok := strings.Cut(entry, "=")
		role = strings.TrimSpace(role)
		if !ok || !identity.ValidRole(role) {
			return nil, fmt.Errorf("%q: want ROLE=CIDR[,CIDR...] with a known role", entry)
		}
		if _, dup := out[role]; dup {
			return nil, fmt.Errorf("role %q: networks given twice", role)
		}
		for _, c := range strings.Split(list, ",") {
			pfx, err := netip.ParsePrefix(strings.TrimSpace(c))
			if err != nil {
				return nil, fmt.Errorf("role %q: %q is not a CIDR prefix such as 10.0.0.0/8", role, strings.TrimSpace(c))
			}
			out[role] = append(out[role], pfx.Masked())
		}
	}
	return out, nil
}

// PrincipalFacts computes the facts that depend on the principal, the
// clock and the client address: hours, network, training, lock and
// break-glass. Resource facts (assigned, verified, in team, self, field)
// are the caller's to add. client may be invalid (no network address, for
// example a local CLI call): it then matches no allow-list.
func (o Options) PrincipalFacts(p identity.Principal, now time.Time, client netip.Addr) Facts {
	f := Facts{InHours: true, NetworkOK: true, TrainingRequired: o.RequireTraining}
	if h, ok := o.Hours[p.Attributes["team"]]; ok && p.Kind == identity.KindHuman {
		f.InHours = h.Contains(now)
	}
	if len(o.Networks) > 0 && p.Kind != identity.KindSystem {
		client = client.Unmap()
		for _, r := range p.Roles {
			if list, ok := o.Networks[r]; ok && !slices.ContainsFunc(list, func(pf netip.Prefix) bool { return pf.Contains(client) }) {
				f.NetworkOK = false
			}
		}
	}
	f.TrainingCurrent = after(p.Attributes["training_until"], now)
	f.Locked = p.Attributes["locked"] == "true"
	f.BreakGlass = p.Kind == identity.KindHuman && after(p.Attributes["break_glass_until"], now)
	return f
}

// after reports whether the RFC 3339 time s is after now; absent or
// malformed is false.
func after(s string, now time.Time) bool {
	if s == "" {
		return false
	}
	t, err := time.Parse(time.RFC3339, s)
	return err == nil && t.After(now)
}

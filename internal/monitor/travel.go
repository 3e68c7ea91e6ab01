package monitor

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"time"

	"github.com/confide-cc/confide/internal/audit"
)

// TravelOptions configure impossible_travel. Each successful event of a
// human actor (and of service accounts with ServiceAccounts) is located
// from its origin address: the site table first, then the GeoIP database;
// events from unknown addresses are skipped. The rule fires when
//
//   - impossible travel: the speed implied between two consecutive located
//     events of the actor exceeds MaxSpeedKmh over at least MinDistanceKm
//     (after subtracting the GeoIP accuracy radius of both places), or
//   - concurrent countries (ConcurrentCountries): the actor acts from two
//     different countries within Window, whatever the distance.
//
// Summaries name sites and countries only, never coordinates.
type TravelOptions struct {
	RuleOptions `yaml:",inline"`
	// GeoIPDB is the path of a MaxMind DB file (GeoLite2/GeoIP2 City or
	// Country, or a compatible database) the operator supplies; it is read
	// once when the detector is created. Empty: sites only. A relative
	// path is relative to the rule file's directory (Config.ResolvePaths).
	GeoIPDB             string        `yaml:"geoip_db"`
	Sites               []Site        `yaml:"sites"`
	MaxSpeedKmh         float64       `yaml:"max_speed_kmh"`
	MinDistanceKm       float64       `yaml:"min_distance_km"`
	ConcurrentCountries bool          `yaml:"concurrent_countries"`
	Window              time.Duration `yaml:"window"`
	// ServiceAccounts includes API tokens (integrations), which are
	// excluded by default: integrations legitimately run in several
	// regions at once.
	ServiceAccounts bool `yaml:"service_accounts"`

	sites []Site // compiled, most specific first
}

// ResolvePaths makes the relative file paths of a rule configuration
// (impossible_travel's geoip_db) absolute against dir, the directory of
// the rule file that set them, so that they do not depend on the
// server's working directory. Absolute paths are only cleaned.
func (c *Config) ResolvePaths(dir string) {
	switch p := c.Travel.GeoIPDB; {
	case p == "":
	case filepath.IsAbs(p):
		c.Travel.GeoIPDB = filepath.Clean(p)
	default:
		c.Travel.GeoIPDB = filepath.Join(dir, p)
	}
}

func (o *TravelOptions) validate() []error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf("monitor: %s: "+format, append([]any{RuleTravel}, args...)...))
		}
	}
	check(o.MaxSpeedKmh >= 50 && o.MaxSpeedKmh <= 100_000, "max_speed_kmh %v: must be 50 to 100000", o.MaxSpeedKmh)
	check(o.MinDistanceKm >= 0 && o.MinDistanceKm <= 20_000, "min_distance_km %v: must be 0 to 20000", o.MinDistanceKm)
	check(o.Window > 0 && o.Window <= 7*24*time.Hour, "window %v: must be positive and at most 168h", o.Window)
	check(!strings.ContainsRune(o.GeoIPDB, 0), "geoip_db: not a file path")
	sites, serrs := compileSites(o.Sites)
	o.sites = sites
	return append(errs, serrs...)
}

// travelActor is what impossible_travel remembers of one actor. Fields are
// exported for the state snapshot; coordinates are those of a site or of
// a GeoIP answer, never more precise than the database.
type travelActor struct {
	Last      *travelFix           `json:",omitempty"` // last event with coordinates
	Countries map[string]travelHit // country → last event there, within the window

	origin string // last origin looked up (not saved: looked up again after a restore)
	place  place
	known  bool
}

// travelFix is a located event.
type travelFix struct {
	At, Seq  int64
	Lat, Lon float64
	Radius   float64 `json:",omitempty"`
	Country  string
	Site     string `json:",omitempty"`
}

// travelHit is the last event of an actor in one country.
type travelHit struct{ At, Seq int64 }

func (f *travelFix) place() place {
	return place{Site: f.Site, Country: f.Country, Coords: true, Lat: f.Lat, Lon: f.Lon, Radius: f.Radius}
}

// travelSubject reports whether impossible_travel follows ev's actor.
func (o *TravelOptions) travelSubject(ev *Event) bool {
	if ev.ActorID == "" || ev.Origin == "" || ev.Outcome != audit.Success {
		return false
	}
	switch ev.ActorKind {
	case "human":
		return true
	case "service":
		return o.ServiceAccounts
	case "":
		return strings.HasPrefix(ev.ActorID, "usr_") || (o.ServiceAccounts && strings.HasPrefix(ev.ActorID, "tok_"))
	}
	return false
}

// travel fires on impossible travel and on concurrent countries.
func (d *Detector) travel(out []Finding, ev *Event, now int64) []Finding {
	o := &d.cfg.Travel
	if o.Disabled || d.geo.empty() || !o.travelSubject(ev) {
		return out
	}
	a := d.st.Travel[ev.ActorID]
	if a == nil {
		a = &travelActor{Countries: map[string]travelHit{}}
		d.st.Travel[ev.ActorID] = a
	}
	if a.origin != ev.Origin || a.origin == "" {
		a.origin = ev.Origin
		a.place, a.known = d.geo.locate(ev.Origin)
	}
	if !a.known {
		return out
	}
	p := a.place
	fired := false
	if last := a.Last; p.Coords && last != nil {
		from := last.place()
		km := distanceKm(from.Lat, from.Lon, p.Lat, p.Lon)
		eff := km - from.Radius - p.Radius
		if eff >= o.MinDistanceKm && eff > 0 {
			// Event times of different nodes may step back a little: the
			// interval counts either way.
			hours := math.Abs(float64(now-last.At)) / float64(hourMicros)
			speed := math.Inf(1)
			if hours > 0 {
				speed = eff / hours
			}
			if speed > o.MaxSpeedKmh {
				n := len(out)
				out = d.fire(out, o.RuleOptions, RuleTravel, ev.ActorID, now, Finding{ActorID: ev.ActorID, SourceIP: ev.Origin,
					Evidence: []int64{last.Seq, ev.Seq},
					Summary: fmt.Sprintf("impossible travel: from %s to %s, about %.0f km in %s",
						from.name(), p.name(), math.Round(km/100)*100, roundDuration(now-last.At))})
				fired = len(out) > n
			}
		}
	}
	if o.ConcurrentCountries {
		span := int64(o.Window / time.Microsecond)
		var other string
		var hit travelHit
		for c, h := range a.Countries {
			if now-h.At > span {
				delete(a.Countries, c)
				continue
			}
			// The most recent other country (audit indexes are unique, so
			// map order does not matter).
			if c != p.Country && (other == "" || h.Seq > hit.Seq) {
				other, hit = c, h
			}
		}
		if other != "" && !fired {
			out = d.fire(out, o.RuleOptions, RuleTravel, ev.ActorID, now, Finding{ActorID: ev.ActorID, SourceIP: ev.Origin,
				Evidence: []int64{hit.Seq, ev.Seq},
				Summary:  fmt.Sprintf("concurrent countries: %s and %s within %s", other, p.name(), roundDuration(now-hit.At))})
		}
		a.Countries[p.Country] = travelHit{At: now, Seq: ev.Seq}
	}
	if p.Coords {
		a.Last = &travelFix{At: now, Seq: ev.Seq, Lat: p.Lat, Lon: p.Lon, Radius: p.Radius, Country: p.Country, Site: p.Site}
	}
	return out
}

// travelIdle is how long an actor's travel state matters: past it no
// journey is faster than the speed limit (half the Earth's circumference)
// and no country is within the window.
func (o *TravelOptions) travelIdle() int64 {
	journey := int64(math.Pi * earthRadiusKm / o.MaxSpeedKmh * float64(hourMicros))
	return max(journey, int64(o.Window/time.Microsecond))
}

// gcTravel drops the state of actors idle for longer than travelIdle.
func (d *Detector) gcTravel(now int64) {
	idle := d.cfg.Travel.travelIdle()
	for k, a := range d.st.Travel {
		last, seen := int64(0), false
		if a.Last != nil {
			last, seen = a.Last.At, true
		}
		for _, h := range a.Countries {
			last, seen = max(last, h.At), true
		}
		if !seen || now-last > idle {
			delete(d.st.Travel, k)
		}
	}
}

// roundDuration renders a µs interval to the minute (seconds below one).
func roundDuration(us int64) string {
	d := (time.Duration(us) * time.Microsecond).Abs()
	if d < time.Minute {
		return d.Round(time.Second).String()
	}
	return d.Round(time.Minute).String()
}

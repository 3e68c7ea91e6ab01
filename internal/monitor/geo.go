package monitor

import (
	"fmt"
	"math"
	"net/netip"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/oschwald/maxminddb-golang/v2"
)

// Site is one of the contact center's own networks (usually a private
// address range) with where it is. Sites are looked up before the GeoIP
// database, which knows nothing of private ranges; the most specific
// prefix wins.
type Site struct {
	CIDR    string   `yaml:"cidr"`
	Name    string   `yaml:"name"`    // appears in alert summaries
	Country string   `yaml:"country"` // ISO 3166-1 alpha-2, e.g. "FR"
	Lat     *float64 `yaml:"lat"`     // degrees, -90 to 90
	Lon     *float64 `yaml:"lon"`     // degrees, -180 to 180

	prefix netip.Prefix
}

// maxSites bounds the site table.
const maxSites = 10_000

// compileSites checks the site table and returns it ordered from the most
// to the least specific prefix.
func compileSites(sites []Site) ([]Site, []error) {
	var errs []error
	bad := func(i int, format string, args ...any) {
		errs = append(errs, fmt.Errorf("monitor: %s: sites[%d]: "+format, append([]any{RuleTravel, i}, args...)...))
	}
	if len(sites) > maxSites {
		return nil, []error{fmt.Errorf("monitor: %s: %d sites: at most %d", RuleTravel, len(sites), maxSites)}
	}
	out := make([]Site, 0, len(sites))
	seen := map[netip.Prefix]int{}
	for i, s := range sites {
		p, err := netip.ParsePrefix(s.CIDR)
		if err != nil {
			bad(i, "cidr %q: not a CIDR prefix", s.CIDR)
			continue
		}
		s.prefix = p.Masked()
		if j, dup := seen[s.prefix]; dup {
			bad(i, "cidr %s: already the prefix of sites[%d]", s.prefix, j)
			continue
		}
		seen[s.prefix] = i
		ok := true
		if s.Name == "" || len(s.Name) > 64 || !utf8.ValidString(s.Name) || strings.ContainsFunc(s.Name, isControl) {
			bad(i, "name %q: must be 1 to 64 printable characters", s.Name)
			ok = false
		}
		if c, valid := countryCode(s.Country); valid {
			s.Country = c
		} else {
			bad(i, "country %q: must be a two-letter ISO 3166-1 code", s.Country)
			ok = false
		}
		switch {
		case s.Lat == nil || s.Lon == nil:
			bad(i, "lat and lon are required")
			ok = false
		case !(*s.Lat >= -90 && *s.Lat <= 90) || !(*s.Lon >= -180 && *s.Lon <= 180):
			bad(i, "lat %v, lon %v: must be within -90..90 and -180..180", *s.Lat, *s.Lon)
			ok = false
		}
		if ok {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b Site) int { return b.prefix.Bits() - a.prefix.Bits() })
	return out, errs
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// countryCode upper-cases a two-letter code and reports whether it is one.
func countryCode(s string) (string, bool) {
	if len(s) != 2 {
		return "", false
	}
	b := []byte(strings.ToUpper(s))
	for _, c := range b {
		if c < 'A' || c > 'Z' {
			return "", false
		}
	}
	return string(b), true
}

// place is where an address is: a site or a GeoIP answer. An unknown
// place has no country.
type place struct {
	Site    string // site name, "" for a GeoIP answer
	Country string
	Coords  bool // Lat and Lon are known
	Lat     float64
	Lon     float64
	Radius  float64 // accuracy radius, km (0 for sites)
}

// name is how a summary names the place: the site, or only the country.
func (p place) name() string {
	if p.Site != "" {
		return "site " + p.Site + " (" + p.Country + ")"
	}
	return p.Country
}

// locator finds the place of an address: the site table first, then the
// GeoIP database. Its answers depend only on the configuration and the
// database's content, read once when the detector is created.
type locator struct {
	sites []Site
	db    *maxminddb.Reader
}

// newLocator reads the GeoIP database named by o (if any).
func newLocator(o TravelOptions) (*locator, error) {
	l := &locator{sites: o.sites}
	if o.GeoIPDB == "" {
		return l, nil
	}
	// The whole file is read into memory: the detector's answers must not
	// change if the file is replaced while the server runs (a new database
	// takes effect at the next start), and no handle needs closing.
	data, err := os.ReadFile(o.GeoIPDB)
	if err != nil {
		return nil, fmt.Errorf("monitor: %s: geoip_db: %w", RuleTravel, err)
	}
	db, err := maxminddb.OpenBytes(data)
	if err != nil {
		return nil, fmt.Errorf("monitor: %s: geoip_db %s: not a MaxMind DB file: %w", RuleTravel, o.GeoIPDB, err)
	}
	if err := db.Verify(); err != nil {
		return nil, fmt.Errorf("monitor: %s: geoip_db %s: corrupt MaxMind DB file: %w", RuleTravel, o.GeoIPDB, err)
	}
	l.db = db
	return l, nil
}

// empty reports whether the locator can locate nothing.
func (l *locator) empty() bool { return l == nil || (len(l.sites) == 0 && l.db == nil) }

// geoRecord is the part of a GeoIP2/GeoLite2 City or Country record the
// monitor reads. Country databases have no location.
type geoRecord struct {
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	RegisteredCountry struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"registered_country"`
	Location struct {
		Latitude       *float64 `maxminddb:"latitude"`
		Longitude      *float64 `maxminddb:"longitude"`
		AccuracyRadius uint16   `maxminddb:"accuracy_radius"`
	} `maxminddb:"location"`
}

// locate returns the place of origin (an IP address, with or without a
// port); ok is false for an unknown or unparsable origin.
func (l *locator) locate(origin string) (place, bool) {
	addr, err := netip.ParseAddr(origin)
	if err != nil {
		ap, perr := netip.ParseAddrPort(origin)
		if perr != nil {
			return place{}, false
		}
		addr = ap.Addr()
	}
	addr = addr.Unmap().WithZone("")
	for _, s := range l.sites {
		if s.prefix.Contains(addr) {
			return place{Site: s.Name, Country: s.Country, Coords: true, Lat: *s.Lat, Lon: *s.Lon}, true
		}
	}
	if l.db == nil {
		return place{}, false
	}
	var r geoRecord
	res := l.db.Lookup(addr)
	if !res.Found() || res.Decode(&r) != nil {
		return place{}, false
	}
	p := place{Country: r.Country.ISOCode}
	if p.Country == "" {
		p.Country = r.RegisteredCountry.ISOCode
	}
	c, ok := countryCode(p.Country)
	if !ok {
		return place{}, false
	}
	p.Country = c
	if la, lo := r.Location.Latitude, r.Location.Longitude; la != nil && lo != nil &&
		*la >= -90 && *la <= 90 && *lo >= -180 && *lo <= 180 {
		p.Coords, p.Lat, p.Lon, p.Radius = true, *la, *lo, float64(r.Location.AccuracyRadius)
	}
	return p, true
}

// earthRadiusKm is the mean radius of the Earth.
const earthRadiusKm = 6371.0

// distanceKm is the great-circle distance between two points (haversine).
func distanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Sqrt(min(a, 1)))
}

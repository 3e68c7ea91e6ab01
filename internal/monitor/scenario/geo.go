package scenario

import (
	"fmt"
	"math"
	"net/netip"
	"path/filepath"

	"github.com/confide-cc/confide/internal/monitor"
	"github.com/confide-cc/confide/internal/monitor/geotest"
)

// place is a city of the simulated world.
type place struct {
	name, country string
	lat, lon      float64
}

// The contact center's sites: users work at one of them (10.<10·(k+1)>.0.0/16)
// and, some days, from home in the same country.
var sites = []place{
	{"paris", "FR", 48.8566, 2.3522},
	{"lisbon", "PT", 38.7223, -9.1393},
	{"casablanca", "MA", 33.5731, -7.5898},
}

// homes are where the users of each site live: a city the GeoIP database
// knows (100.<64+k>.0.0/17) and the country's centroid, as GeoIP answers
// for many mobile and broadband addresses (100.<64+k>.128.0/17).
var homes = []struct {
	city     place
	centroid place
}{
	{place{"lyon", "FR", 45.7640, 4.8357}, place{"", "FR", 46.2276, 2.2137}},
	{place{"porto", "PT", 41.1579, -8.6291}, place{"", "PT", 39.3999, -8.2245}},
	{place{"rabat", "MA", 34.0209, -6.8416}, place{"", "MA", 31.7917, -7.0926}},
}

// farAway are where stolen credentials are used from (2001:db8:<k+1>::/48);
// nearby[site] is a foreign city less than 500 km from the site
// (2001:db8:<0x10+site>::/48), which only concurrent countries catches.
var (
	farAway = []place{
		{"sao-paulo", "BR", -23.5505, -46.6333}, {"lagos", "NG", 6.5244, 3.3792},
		{"hanoi", "VN", 21.0278, 105.8342}, {"moscow", "RU", 55.7558, 37.6173},
	}
	nearby = []place{
		{"brussels", "BE", 50.8503, 4.3517}, {"seville", "ES", 37.3891, -5.9845}, {"malaga", "ES", 36.7213, -4.4214},
	}
)

func siteIP(site, i int) string { return fmt.Sprintf("10.%d.%d.%d", 10*(site+1), i/250, i%250+1) }

func homeIP(site, i int) string {
	third := i / 250
	if i%2 == 1 { // half the users' providers are located to the country only
		third += 128
	}
	return fmt.Sprintf("100.%d.%d.%d", 64+site, third, i%250+1)
}

// Sites returns the site table of the simulated contact center.
func Sites() []monitor.Site {
	var out []monitor.Site
	for k, s := range sites {
		out = append(out, monitor.Site{CIDR: fmt.Sprintf("10.%d.0.0/16", 10*(k+1)), Name: s.name, Country: s.country,
			Lat: ptr(s.lat), Lon: ptr(s.lon)})
	}
	// The integrations' data center and the administrators' network.
	out = append(out, monitor.Site{CIDR: "10.0.0.0/16", Name: "paris-dc", Country: "FR", Lat: ptr(48.90), Lon: ptr(2.45)},
		monitor.Site{CIDR: "10.9.0.0/16", Name: "paris-admin", Country: "FR", Lat: ptr(48.8566), Lon: ptr(2.3522)})
	return out
}

func ptr(v float64) *float64 { return &v }

// GeoNetworks is the content of the scenario's GeoIP database.
func GeoNetworks() []geotest.Network {
	var out []geotest.Network
	for k, h := range homes {
		out = append(out,
			geotest.Network{CIDR: fmt.Sprintf("100.%d.0.0/17", 64+k), Country: h.city.country, Coords: true, Lat: h.city.lat, Lon: h.city.lon, Radius: 100},
			geotest.Network{CIDR: fmt.Sprintf("100.%d.128.0/17", 64+k), Country: h.centroid.country, Coords: true, Lat: h.centroid.lat, Lon: h.centroid.lon, Radius: 500})
	}
	for k, p := range farAway {
		out = append(out, geotest.Network{CIDR: fmt.Sprintf("2001:db8:%x::/48", k+1), Country: p.country, Coords: true, Lat: p.lat, Lon: p.lon, Radius: 20})
	}
	for k, p := range nearby {
		out = append(out, geotest.Network{CIDR: fmt.Sprintf("2001:db8:%x::/48", 0x10+k), Country: p.country, Coords: true, Lat: p.lat, Lon: p.lon, Radius: 10})
	}
	return out
}

// Rules returns the default rule configuration for the scenarios: the
// site table and a GeoIP database (GeoNetworks, written into dir).
func Rules(dir string) (monitor.Config, error) {
	cfg := monitor.DefaultConfig()
	path := filepath.Join(dir, "scenario-city.mmdb")
	if err := geotest.Write(path, GeoNetworks()); err != nil {
		return monitor.Config{}, err
	}
	cfg.Travel.GeoIPDB, cfg.Travel.Sites = path, Sites()
	return cfg, nil
}

// fix is where the detector places an address: coordinates and the
// accuracy radius (0 for a site).
type fix struct{ lat, lon, radius float64 }

// locate places addr as the detector does with Sites and GeoNetworks.
func locate(addr string) (fix, bool) {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return fix{}, false
	}
	for _, s := range Sites() {
		if netip.MustParsePrefix(s.CIDR).Contains(a) {
			return fix{lat: *s.Lat, lon: *s.Lon}, true
		}
	}
	for _, n := range GeoNetworks() {
		if netip.MustParsePrefix(n.CIDR).Contains(a) {
			return fix{lat: n.Lat, lon: n.Lon, radius: float64(n.Radius)}, true
		}
	}
	return fix{}, false
}

// effectiveKm is the distance between two fixes the detector weighs: the
// great-circle distance less both accuracy radii.
func effectiveKm(a, b fix) float64 {
	const earthRadiusKm = 6371.0
	rad := math.Pi / 180
	dLat, dLon := (b.lat-a.lat)*rad, (b.lon-a.lon)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.lat*rad)*math.Cos(b.lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2*earthRadiusKm*math.Asin(math.Sqrt(h)) - a.radius - b.radius
}

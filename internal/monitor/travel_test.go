package monitor_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/confide-cc/confide/internal/audit"
	"github.com/confide-cc/confide/internal/identity"
	"github.com/confide-cc/confide/internal/monitor"
	"github.com/confide-cc/confide/internal/monitor/geotest"
)

// testGeoNetworks is the content of the test GeoIP database.
var testGeoNetworks = []geotest.Network{
	{CIDR: "192.0.2.0/24", Country: "FR", Coords: true, Lat: 48.8566, Lon: 2.3522, Radius: 10},       // Paris
	{CIDR: "198.51.100.0/24", Country: "US", Coords: true, Lat: 40.7128, Lon: -74.0060, Radius: 10},  // New York
	{CIDR: "203.0.113.0/24", Country: "BE", Coords: true, Lat: 50.8503, Lon: 4.3517, Radius: 10},     // Brussels
	{CIDR: "2001:db8:1::/48", Country: "BR", Coords: true, Lat: -23.5505, Lon: -46.6333, Radius: 50}, // São Paulo
	{CIDR: "2001:db8:2::/48", Country: "DE"},                                                         // a Country database answer
	{CIDR: "2001:db8:3::/48", Registered: "JP"},                                                      // registered country only
	{CIDR: "2001:db8:4::/48", Country: "FR", Coords: true, Lat: 45.764, Lon: 4.8357, Radius: 1000},   // Lyon, imprecise
	{CIDR: "2001:db8:5::/48", Country: "FR", Coords: true, Lat: 45.764, Lon: 4.8357, Radius: 10},     // Lyon
}

// coordinates that must never appear in a summary.
var coordinateText = regexp.MustCompile(`48\.8|40\.7|50\.8|23\.5|45\.7|38\.7|40\.4|2\.35|74\.0|4\.35|46\.6|9\.14|3\.70`)

func fp(v float64) *float64 { return &v }

// writeGeoDB writes the test database and returns its path.
func writeGeoDB(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "city.mmdb")
	if err := geotest.Write(path, testGeoNetworks); err != nil {
		t.Fatal(err)
	}
	return path
}

// travelConfig is the default configuration with the test database and
// two sites, one of which overrides part of a GeoIP network.
func travelConfig(t testing.TB) monitor.Config {
	cfg := monitor.DefaultConfig()
	cfg.Travel.GeoIPDB = writeGeoDB(t)
	cfg.Travel.Sites = []monitor.Site{
		{CIDR: "10.1.0.0/16", Name: "paris-hq", Country: "FR", Lat: fp(48.85), Lon: fp(2.35)},
		{CIDR: "10.2.0.0/16", Name: "lisbon", Country: "pt", Lat: fp(38.72), Lon: fp(-9.14)},
		{CIDR: "192.0.2.128/25", Name: "madrid", Country: "ES", Lat: fp(40.42), Lon: fp(-3.70)},
	}
	return cfg
}

// visit is one event of a travel test.
type visit struct {
	after   time.Duration // since t0
	origin  string
	actor   string        // default usr_1
	outcome audit.Outcome // default success
}

func (v visit) add(s *stream) {
	actor, role, outcome := v.actor, "agent", v.outcome
	if actor == "" {
		actor = "usr_1"
	}
	if strings.HasPrefix(actor, "tok_") {
		role = "integration"
	}
	if outcome == "" {
		outcome = audit.Success
	}
	s.add(t0.Add(v.after), actor, role, v.origin, "interaction.create", "interaction/i1", outcome, "", nil)
}

func TestImpossibleTravel(t *testing.T) {
	base := travelConfig(t)
	tests := []struct {
		name   string
		cfg    func(*monitor.Config)
		visits []visit
		fired  int      // findings expected
		ev     []int64  // evidence of the findings, in order, flattened
		says   []string // phrases the summaries contain
	}{
		{name: "plausible flight", visits: []visit{{0, "10.1.0.5", "", ""}, {10 * time.Hour, "198.51.100.7", "", ""}}},
		{name: "impossible flight", visits: []visit{{0, "10.1.0.5", "", ""}, {2 * time.Hour, "198.51.100.7", "", ""}},
			fired: 1, ev: []int64{1, 2}, says: []string{"impossible travel", "site paris-hq (FR)", "to US", "2h0m0s"}},
		{name: "same instant", visits: []visit{{0, "10.1.0.5", "", ""}, {0, "2001:db8:1::9", "", ""}},
			fired: 1, ev: []int64{1, 2}, says: []string{"to BR"}},
		{name: "between own sites on different days", visits: []visit{{0, "10.1.0.5", "", ""}, {20 * time.Hour, "10.2.3.4", "", ""}, {44 * time.Hour, "10.1.9.9", "", ""}}},
		{name: "between own sites within the hour", visits: []visit{{0, "10.1.0.5", "", ""}, {40 * time.Minute, "10.2.3.4", "", ""}},
			fired: 1, ev: []int64{1, 2}, says: []string{"site lisbon (PT)"}},
		{name: "neighbouring country within the window", visits: []visit{{0, "10.1.0.5", "", ""}, {20 * time.Minute, "203.0.113.5", "", ""}},
			fired: 1, ev: []int64{1, 2}, says: []string{"concurrent countries", "FR and BE", "20m0s"}},
		{name: "neighbouring country after the window", visits: []visit{{0, "10.1.0.5", "", ""}, {2 * time.Hour, "203.0.113.5", "", ""}}},
		{name: "concurrent countries off", cfg: func(c *monitor.Config) { c.Travel.ConcurrentCountries = false },
			visits: []visit{{0, "10.1.0.5", "", ""}, {20 * time.Minute, "203.0.113.5", "", ""}}},
		{name: "back and forth, the latest other country", visits: []visit{{0, "203.0.113.5", "", ""}, {time.Minute, "10.1.0.5", "", ""}},
			fired: 1, ev: []int64{1, 2}, says: []string{"BE and site paris-hq (FR)"}},
		{name: "country database answer", visits: []visit{{0, "10.1.0.5", "", ""}, {5 * time.Minute, "2001:db8:2::1", "", ""}},
			fired: 1, ev: []int64{1, 2}, says: []string{"FR and DE"}},
		{name: "registered country", visits: []visit{{0, "10.1.0.5", "", ""}, {5 * time.Minute, "2001:db8:3::1", "", ""}},
			fired: 1, says: []string{"and JP"}},
		{name: "unknown addresses are skipped", visits: []visit{{0, "10.1.0.5", "", ""}, {time.Minute, "100.64.0.1", "", ""},
			{2 * time.Minute, "not an address", "", ""}, {3 * time.Minute, "2001:db8:ff::1", "", ""}, {4 * time.Minute, "10.1.0.6", "", ""}}},
		{name: "unknown address between two far places", visits: []visit{{0, "10.1.0.5", "", ""}, {time.Minute, "100.64.0.1", "", ""},
			{time.Hour, "198.51.100.7", "", ""}}, fired: 1, ev: []int64{1, 3}},
		{name: "site overrides GeoIP", visits: []visit{{0, "10.1.0.5", "", ""}, {10 * time.Minute, "192.0.2.200", "", ""}},
			fired: 1, ev: []int64{1, 2}, says: []string{"to site madrid (ES)"}},
		{name: "GeoIP outside the site", visits: []visit{{0, "10.1.0.5", "", ""}, {10 * time.Minute, "192.0.2.5", "", ""}}},
		{name: "mapped address with a port", visits: []visit{{0, "10.1.0.5", "", ""}, {time.Hour, "[::ffff:198.51.100.7]:443", "", ""}},
			fired: 1, says: []string{"to US"}},
		{name: "accuracy radius absorbs GeoIP noise", cfg: func(c *monitor.Config) { c.Travel.MinDistanceKm = 100 },
			visits: []visit{{0, "10.1.0.5", "", ""}, {5 * time.Minute, "2001:db8:4::1", "", ""}}},
		{name: "precise answer at the same distance", cfg: func(c *monitor.Config) { c.Travel.MinDistanceKm = 100 },
			visits: []visit{{0, "10.1.0.5", "", ""}, {5 * time.Minute, "2001:db8:5::1", "", ""}}, fired: 1},
		{name: "below the minimum distance", visits: []visit{{0, "10.1.0.5", "", ""}, {5 * time.Minute, "2001:db8:5::1", "", ""}}},
		{name: "failed events do not locate", visits: []visit{{0, "10.1.0.5", "", ""}, {30 * time.Minute, "198.51.100.7", "", audit.Denied}}},
		{name: "actors are separate", visits: []visit{{0, "10.1.0.5", "", ""}, {30 * time.Minute, "198.51.100.7", "usr_2", ""}}},
		{name: "tokens excluded by default", visits: []visit{{0, "10.1.0.5", "tok_1", ""}, {30 * time.Minute, "198.51.100.7", "tok_1", ""}}},
		{name: "tokens included", cfg: func(c *monitor.Config) { c.Travel.ServiceAccounts = true },
			visits: []visit{{0, "10.1.0.5", "tok_1", ""}, {30 * time.Minute, "198.51.100.7", "tok_1", ""}}, fired: 1},
		{name: "cooldown", visits: []visit{{0, "10.1.0.5", "", ""}, {10 * time.Minute, "198.51.100.7", "", ""},
			{20 * time.Minute, "10.1.0.5", "", ""}, {30 * time.Minute, "2001:db8:1::9", "", ""}, {90 * time.Minute, "10.1.0.5", "", ""}},
			fired: 2, ev: []int64{1, 2, 4, 5}},
		{name: "disabled", cfg: func(c *monitor.Config) { c.Travel.Disabled = true },
			visits: []visit{{0, "10.1.0.5", "", ""}, {0, "2001:db8:1::9", "", ""}}},
		{name: "sites only", cfg: func(c *monitor.Config) { c.Travel.GeoIPDB = "" },
			visits: []visit{{0, "10.1.0.5", "", ""}, {0, "2001:db8:1::9", "", ""}, {time.Minute, "10.2.0.1", "", ""}}, fired: 1, ev: []int64{1, 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			cfg.Travel.Sites = slices.Clone(base.Travel.Sites)
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			var s stream
			for _, v := range tc.visits {
				v.add(&s)
			}
			fs := run(t, cfg, &s)
			if len(fs) != tc.fired {
				t.Fatalf("%d findings, want %d: %+v", len(fs), tc.fired, fs)
			}
			var ev []int64
			for _, f := range fs {
				ev = append(ev, f.Evidence...)
				if f.Rule != monitor.RuleTravel || f.Severity != monitor.High || f.ActorID == "" || f.Contain {
					t.Errorf("finding %+v", f)
				}
				if coordinateText.MatchString(f.Summary) {
					t.Errorf("summary %q shows coordinates", f.Summary)
				}
			}
			if tc.ev != nil && !slices.Equal(ev, tc.ev) {
				t.Errorf("evidence %v, want %v", ev, tc.ev)
			}
			for _, p := range tc.says {
				if !strings.Contains(fs[0].Summary, p) {
					t.Errorf("summary %q does not say %q", fs[0].Summary, p)
				}
			}
		})
	}
}

// TestTravelContain checks that contain is honoured for the rule.
func TestTravelContain(t *testing.T) {
	cfg := travelConfig(t)
	cfg.Travel.Contain = true
	var s stream
	visit{0, "10.1.0.5", "", ""}.add(&s)
	visit{time.Minute, "2001:db8:1::9", "", ""}.add(&s)
	if fs := run(t, cfg, &s); len(fs) != 1 || !fs[0].Contain || fs[0].ActorID != "usr_1" || fs[0].SourceIP != "2001:db8:1::9" {
		t.Errorf("findings %+v", fs)
	}
}

// TestTravelSnapshot checks that travel history survives a snapshot and
// restore, that a version 1 snapshot (before the rule) restores with no
// travel history, and that idle actors are forgotten.
func TestTravelSnapshot(t *testing.T) {
	cfg := travelConfig(t)
	var s stream
	visit{0, "10.1.0.5", "", ""}.add(&s)
	visit{time.Minute, "203.0.113.5", "usr_2", ""}.add(&s)
	visit{time.Hour, "198.51.100.7", "", ""}.add(&s)
	visit{time.Hour, "10.1.0.7", "usr_2", ""}.add(&s)
	whole := run(t, cfg, &s)
	if len(whole) != 1 || !slices.Equal(whole[0].Evidence, []int64{1, 3}) {
		t.Fatalf("uninterrupted: %+v", whole)
	}
	d1, err := monitor.NewDetector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range s.evs[:2] {
		d1.Observe(ev)
	}
	snap, err := d1.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var travelState struct{ Travel json.RawMessage }
	if err := json.Unmarshal(snap, &travelState); err != nil || len(travelState.Travel) < 10 {
		t.Fatalf("snapshot without travel state: %s", snap)
	}
	if tr := string(travelState.Travel); strings.Contains(tr, "10.1.0.5") || strings.Contains(tr, "203.0.113.5") {
		t.Errorf("travel state holds addresses: %s", tr)
	}
	d2, _ := monitor.NewDetector(cfg)
	if err := d2.Restore(snap); err != nil {
		t.Fatal(err)
	}
	var split []monitor.Finding
	for _, ev := range s.evs[2:] {
		split = append(split, d2.Observe(ev)...)
	}
	if len(split) != 1 || split[0].Summary != whole[0].Summary || split[0].DedupKey != whole[0].DedupKey {
		t.Errorf("restored: %+v, want %+v", split, whole)
	}

	// A version 1 snapshot: the same state without travel history.
	var m map[string]any
	if err := json.Unmarshal(snap, &m); err != nil {
		t.Fatal(err)
	}
	m["Version"] = 1
	delete(m, "Travel")
	v1, _ := json.Marshal(m)
	d3, _ := monitor.NewDetector(cfg)
	if err := d3.Restore(v1); err != nil {
		t.Fatalf("version 1 snapshot: %v", err)
	}
	for _, ev := range s.evs[2:] {
		if fs := d3.Observe(ev); len(fs) != 0 {
			t.Errorf("no travel history after a version 1 snapshot, yet %+v", fs)
		}
	}
	for _, bad := range []string{`{"Version":3}`, strings.Replace(string(snap), `"Countries":{`, `"Countries":null,"Was":{`, 1)} {
		if bad == string(snap) {
			continue
		}
		if err := d3.Restore([]byte(bad)); err == nil {
			t.Errorf("restored %s", bad)
		}
	}

	// Idle actors are dropped once no journey could be too fast.
	var later stream
	later.evs = slices.Clone(s.evs[:2])
	later.add(t0.Add(30*time.Hour), "usr_3", "agent", "10.1.0.9", "interaction.create", "interaction/i2", audit.Success, "", nil)
	d4, _ := monitor.NewDetector(cfg)
	for _, ev := range later.evs {
		d4.Observe(ev)
	}
	snap4, _ := d4.Snapshot()
	var st struct{ Travel map[string]json.RawMessage }
	if err := json.Unmarshal(snap4, &st); err != nil {
		t.Fatal(err)
	}
	if _, ok := st.Travel["usr_1"]; ok || st.Travel["usr_3"] == nil {
		t.Errorf("travel state after 30 idle hours: %s", snap4)
	}
}

func TestTravelConfig(t *testing.T) {
	db := writeGeoDB(t)
	garbage := filepath.Join(t.TempDir(), "garbage.mmdb")
	if err := os.WriteFile(garbage, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	site := func(extra string) string {
		return "impossible_travel: {sites: [{cidr: 10.1.0.0/16, name: hq, country: FR, lat: 48.8, lon: 2.3" + extra + "}]}"
	}
	tests := []struct {
		yaml, parseErr, detectorErr string
	}{
		{"impossible_travel: {geoip_db: " + db + ", max_speed_kmh: 1000, min_distance_km: 300, window: 1h, concurrent_countries: false}", "", ""},
		{site(""), "", ""},
		{"impossible_travel: {sites: [{cidr: 10.1.0.0/16, name: hq, country: FR, lat: 0, lon: 0}, {cidr: '10.1.2.3/16', name: dup, country: FR, lat: 1, lon: 1}]}", "already the prefix of sites[0]", ""},
		{"impossible_travel: {sites: [{cidr: 10.1.0.0/33, name: hq, country: FR, lat: 1, lon: 1}]}", `cidr "10.1.0.0/33": not a CIDR`, ""},
		{"impossible_travel: {sites: [{cidr: 10.1.0.0/16, name: hq, country: FR, lat: 1}]}", "lat and lon are required", ""},
		{"impossible_travel: {sites: [{cidr: 10.1.0.0/16, name: hq, country: FRA, lat: 1, lon: 1}]}", "two-letter", ""},
		{"impossible_travel: {sites: [{cidr: 10.1.0.0/16, name: '', country: FR, lat: 1, lon: 1}]}", "name", ""},
		{"impossible_travel: {sites: [{cidr: 10.1.0.0/16, name: hq, country: FR, lat: 91, lon: 1}]}", "lat 91", ""},
		{"impossible_travel: {sites: [{cidr: 10.1.0.0/16, name: hq, country: FR, lat: .nan, lon: 1}]}", "must be within", ""},
		{site(", altitude: 3"), "field altitude not found", ""},
		{"impossible_travel: {max_speed_kmh: 0}", "max_speed_kmh 0", ""},
		{"impossible_travel: {min_distance_km: -1}", "min_distance_km -1", ""},
		{"impossible_travel: {window: 0s}", "window 0s", ""},
		{"impossible_travel: {severity: severe}", "severity", ""},
		{"impossible_travel: {geoip_db: " + filepath.Join(t.TempDir(), "missing.mmdb") + "}", "", "geoip_db"},
		{"impossible_travel: {geoip_db: " + garbage + "}", "", "not a MaxMind DB file"},
		{"account_takeover: {distinct_actors: 0, window: 1h, cooldown: 1h}", "", ""},
		{"account_takeover: {contain: true}", "contain: not supported", ""},
		{"account_takeover: {distinct_actors: -1}", "distinct_actors -1", ""},
		{"account_takeover: {window: 1000h}", "window", ""},
	}
	for _, tc := range tests {
		cfg, err := monitor.ParseConfig([]byte(tc.yaml))
		switch {
		case tc.parseErr == "" && err != nil:
			t.Errorf("%q: %v", tc.yaml, err)
			continue
		case tc.parseErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.parseErr) || !strings.Contains(err.Error(), "monitor: ") {
				t.Errorf("%q: error %v, want one mentioning %q", tc.yaml, err, tc.parseErr)
			}
			continue
		}
		_, err = monitor.NewDetector(cfg)
		if tc.detectorErr == "" && err != nil || tc.detectorErr != "" && (err == nil || !strings.Contains(err.Error(), tc.detectorErr)) {
			t.Errorf("%q: NewDetector: %v, want error mentioning %q", tc.yaml, err, tc.detectorErr)
		}
	}
}

// TestEngineTravel follows a stolen session end to end: the engine reads
// the GeoIP database once at creation, and an event from abroad right
// after one from the user's site raises a stored, audited alert.
func TestEngineTravel(t *testing.T) {
	st := openStore(t)
	bad := travelConfig(t)
	bad.Travel.GeoIPDB = filepath.Join(t.TempDir(), "missing.mmdb")
	if _, err := monitor.NewEngine(st, monitor.EngineOptions{Rules: bad}); err == nil || !strings.Contains(err.Error(), "geoip_db") {
		t.Fatalf("engine with a missing database: %v", err)
	}
	cfg := travelConfig(t)
	startEngine(t, st, monitor.EngineOptions{Rules: cfg})
	ctx := t.Context()
	home := as(ctx, "usr_1", identity.KindHuman, identity.RoleAgent, "10.1.0.5")
	abroad := as(ctx, "usr_1", identity.KindHuman, identity.RoleAgent, "2001:db8:1::9")
	first := appendEvent(t, st, home, "customer.read", "customer/c1", audit.Success)
	second := appendEvent(t, st, abroad, "customer.read", "customer/c2", audit.Success)
	waitFor(t, "a travel alert", func() bool { return len(alerts(t, st)) == 1 })
	a := alerts(t, st)[0]
	if a.Rule != monitor.RuleTravel || a.Severity != "high" || a.ActorID != "usr_1" || a.SourceIP != "2001:db8:1::9" ||
		!slices.Equal(a.Evidence, []int64{first, second}) || !strings.Contains(a.Summary, "from site paris-hq (FR) to BR") {
		t.Errorf("alert = %+v", a)
	}
}

// TestTravelClockStepBack checks that an event timed slightly before the
// previous one (clocks of different nodes) still counts as a journey.
func TestTravelClockStepBack(t *testing.T) {
	var s stream
	visit{time.Second, "10.1.0.5", "", ""}.add(&s)
	visit{0, "2001:db8:1::9", "", ""}.add(&s)
	fs := run(t, travelConfig(t), &s)
	if len(fs) != 1 || !strings.Contains(fs[0].Summary, "in 1s") {
		t.Errorf("findings %+v", fs)
	}
}

// TestResolvePaths checks that a relative geoip_db is relative to the
// rule file's directory and an absolute one is kept.
func TestResolvePaths(t *testing.T) {
	dir := filepath.Join(string(filepath.Separator), "etc", "confide")
	abs := filepath.Join(string(filepath.Separator), "var", "lib", "geo", "city.mmdb")
	tests := []struct{ geoIPDB, want string }{
		{"", ""},
		{"city.mmdb", filepath.Join(dir, "city.mmdb")},
		{filepath.Join("geo", "..", "city.mmdb"), filepath.Join(dir, "city.mmdb")},
		{filepath.Join("..", "geo", "city.mmdb"), filepath.Join(string(filepath.Separator), "etc", "geo", "city.mmdb")},
		{abs, abs},
		{abs + string(filepath.Separator) + ".", abs},
	}
	for _, tt := range tests {
		cfg := monitor.DefaultConfig()
		cfg.Travel.GeoIPDB = tt.geoIPDB
		cfg.ResolvePaths(dir)
		if cfg.Travel.GeoIPDB != tt.want {
			t.Errorf("geoip_db %q resolved = %q; want %q", tt.geoIPDB, cfg.Travel.GeoIPDB, tt.want)
		}
	}
}

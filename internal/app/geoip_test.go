package app_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/confide-cc/confide/internal/monitor/geotest"
)

// TestRulesFileGeoIPRelativeToItsDirectory starts a node whose rule file
// names its GeoIP database by a path relative to the rule file's
// directory, not to the working directory (a missing database would stop
// the node).
func TestRulesFileGeoIPRelativeToItsDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "geo"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := geotest.Write(filepath.Join(dir, "geo", "city.mmdb"), []geotest.Network{{CIDR: "192.0.2.0/24", Country: "FR"}}); err != nil {
		t.Fatal(err)
	}
	rules := filepath.Join(dir, "monitor.yaml")
	if err := os.WriteFile(rules, []byte("impossible_travel: {geoip_db: geo/city.mmdb}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if wd, err := os.Getwd(); err != nil || wd == dir {
		t.Fatalf("working directory %q, %v: the test needs another one than the rule file's", wd, err)
	}
	e := newEnv(t, "--monitor-rules-file", rules)
	if e.app.MonitorEngine == nil {
		t.Fatal("no monitor engine")
	}
}

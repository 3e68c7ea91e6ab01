// Package geotest writes small MaxMind DB (mmdb) files in the layout of
// GeoLite2/GeoIP2 City databases, for the tests and benchmarks of package
// monitor and its scenarios. Production code never imports it: operators
// supply their own database.
package geotest

import (
	"fmt"
	"net"
	"os"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// Network maps an address range to a country and, if Coords, a location.
type Network struct {
	CIDR       string
	Country    string // ISO code; "" writes only registered_country = Registered
	Registered string
	Coords     bool
	Lat, Lon   float64
	Radius     uint16 // accuracy radius, km
}

// Write writes a City-layout database with nets to path.
func Write(path string, nets []Network) error {
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-City", RecordSize: 28,
		IncludeReservedNetworks: true, Languages: []string{"en"}, Description: map[string]string{"en": "confide test database"}})
	if err != nil {
		return err
	}
	for _, n := range nets {
		_, ipn, err := net.ParseCIDR(n.CIDR)
		if err != nil {
			return fmt.Errorf("geotest: %s: %w", n.CIDR, err)
		}
		rec := mmdbtype.Map{}
		if n.Country != "" {
			rec["country"] = mmdbtype.Map{"iso_code": mmdbtype.String(n.Country)}
		}
		if n.Registered != "" {
			rec["registered_country"] = mmdbtype.Map{"iso_code": mmdbtype.String(n.Registered)}
		}
		if n.Coords {
			rec["location"] = mmdbtype.Map{"latitude": mmdbtype.Float64(n.Lat), "longitude": mmdbtype.Float64(n.Lon),
				"accuracy_radius": mmdbtype.Uint16(n.Radius)}
		}
		if err := tree.Insert(ipn, rec); err != nil {
			return fmt.Errorf("geotest: insert %s: %w", n.CIDR, err)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := tree.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

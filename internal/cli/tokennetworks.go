package cli

import (
	"net/netip"
	"strings"

	"github.com/confide-cc/confide/internal/identity/tokens"
)

// fmtNetworks shows a token's networks for tokens create/list: "any" when
// it is unrestricted.
func fmtNetworks(ps []netip.Prefix) string {
	if len(ps) == 0 {
		return "any"
	}
	return strings.Join(tokens.NetworkStrings(ps), ",")
}

package monitor

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"

	"go.yaml.in/yaml/v3"
)

// Severity ranks an alert.
type Severity string

// Severities, from least to most urgent.
const (
	Low      Severity = "low"
	Medium   Severity = "medium"
	High     Severity = "high"
	Critical Severity = "critical"
)

func (s Severity) valid() bool {
	return s == Low || s == Medium || s == High || s == Critical
}

// Rule names, as they appear in alerts and in the configuration.
const (
	RuleBulkAccess   = "bulk_access"
	RuleOffHours     = "off_hours"
	RuleFailedAuth   = "failed_auth"
	RuleRevealSpike  = "reveal_spike"
	RuleMassPlayback = "mass_playback"
	RuleHoney        = "honey"
	RuleFlood        = "api_flood"
	RuleTravel       = "impossible_travel"
	RuleTakeover     = "account_takeover"
)

// RuleOptions are the settings every rule has.
type RuleOptions struct {
	// Disabled turns the rule off.
	Disabled bool `yaml:"disabled"`
	// Severity of the rule's alerts.
	Severity Severity `yaml:"severity"`
	// Contain locks the actor (Containment.Lock) when the rule fires.
	// Findings about a source address without an actor are never contained.
	Contain bool `yaml:"contain"`
	// Cooldown suppresses further alerts of the rule for the same subject
	// (actor or address) for this long after one fired.
	Cooldown time.Duration `yaml:"cooldown"`
}

// RateOptions configure a rule that fires when Threshold events (or
// distinct resources) fall within Window.
type RateOptions struct {
	RuleOptions `yaml:",inline"`
	Threshold   int           `yaml:"threshold"`
	Window      time.Duration `yaml:"window"`
}

// BulkOptions configure bulk_access: an actor reading more distinct
// customers in a clock hour than Cap AND more than their own baseline (a
// z-score over their last HistoryHours active hours). With fewer than
// MinHistoryHours of history the cap alone decides.
type BulkOptions struct {
	RuleOptions     `yaml:",inline"`
	Cap             int     `yaml:"cap"`
	ZScore          float64 `yaml:"z_score"`
	HistoryHours    int     `yaml:"history_hours"`
	MinHistoryHours int     `yaml:"min_history_hours"`
}

// OffHoursOptions configure off_hours: an actor reading the data of
// MinCustomers distinct customers within Window outside the working hours
// of every role they hold. Roles without a schedule (integrations, by
// default) are exempt.
type OffHoursOptions struct {
	RuleOptions  `yaml:",inline"`
	MinCustomers int                 `yaml:"min_customers"`
	Window       time.Duration       `yaml:"window"`
	Schedules    map[string]Schedule `yaml:"schedules"` // by role
}

// FailedAuthOptions configure failed_auth: bursts of authentication
// failures per source address (brute force, password spraying, credential
// stuffing) and per account. A failure is an event with outcome denied and
// reason "unauthenticated", or any unsuccessful event whose action is in
// Actions (login actions of the identity service).
type FailedAuthOptions struct {
	RuleOptions `yaml:",inline"`
	PerIP       Rate     `yaml:"per_ip"`
	PerActor    Rate     `yaml:"per_actor"`
	Actions     []string `yaml:"actions"`
}

// Rate is a threshold within a window.
type Rate struct {
	Threshold int           `yaml:"threshold"`
	Window    time.Duration `yaml:"window"`
}

// HoneyOptions configure honey: any access to a canary customer. Customers
// lists canary ids; honey.create events (Service.CreateHoney) add more.
type HoneyOptions struct {
	RuleOptions `yaml:",inline"`
	Customers   []string `yaml:"customers"`
}

// FloodOptions configure api_flood: more than Threshold audited requests
// from one source address within Window. Exempt lists address prefixes
// (CIDR) that are never counted (for example the telephony platform).
type FloodOptions struct {
	RateOptions `yaml:",inline"`
	Exempt      []string `yaml:"exempt"`

	exempt []netip.Prefix
}

// Config is the configuration of every rule. The zero value of a field
// means its default (see DefaultConfig); docs/MONITOR.md lists them.
type Config struct {
	BulkAccess   BulkOptions       `yaml:"bulk_access"`
	OffHours     OffHoursOptions   `yaml:"off_hours"`
	FailedAuth   FailedAuthOptions `yaml:"failed_auth"`
	RevealSpike  RateOptions       `yaml:"reveal_spike"`
	MassPlayback RateOptions       `yaml:"mass_playback"`
	Honey        HoneyOptions      `yaml:"honey"`
	Flood        FloodOptions      `yaml:"api_flood"`
	Travel       TravelOptions     `yaml:"impossible_travel"`
	Takeover     TakeoverOptions   `yaml:"account_takeover"`
	Unassigned   UnassignedOptions `yaml:"unassigned_access"`
	BreakGlass   BreakGlassOptions `yaml:"break_glass"`
	CallFlood    CallFloodOptions  `yaml:"call_flood"`
	// ControlFailure: see ControlFailureOptions.
	ControlFailure ControlFailureOptions `yaml:"control_failure"`
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	hour := time.Hour
	weekdays := Schedule{TimeZone: "UTC", Days: []string{"mon", "tue", "wed", "thu", "fri"}, Start: "07:00", End: "20:00"}
	c := Config{
		BulkAccess: BulkOptions{RuleOptions: RuleOptions{Severity: High, Cooldown: hour},
			Cap: 60, ZScore: 4, HistoryHours: 160, MinHistoryHours: 8},
		OffHours: OffHoursOptions{RuleOptions: RuleOptions{Severity: Medium, Cooldown: 12 * hour},
			MinCustomers: 3, Window: hour, Schedules: map[string]Schedule{
				"agent": weekdays, "supervisor": weekdays, "qa_analyst": weekdays,
			}},
		FailedAuth: FailedAuthOptions{RuleOptions: RuleOptions{Severity: High, Cooldown: hour},
			PerIP: Rate{Threshold: 20, Window: 5 * time.Minute}, PerActor: Rate{Threshold: 10, Window: 5 * time.Minute},
			Actions: []string{"login.password", "login.mfa"}},
		RevealSpike:  RateOptions{RuleOptions: RuleOptions{Severity: High, Cooldown: hour}, Threshold: 15, Window: 30 * time.Minute},
		MassPlayback: RateOptions{RuleOptions: RuleOptions{Severity: High, Cooldown: hour}, Threshold: 25, Window: 30 * time.Minute},
		Honey:        HoneyOptions{RuleOptions: RuleOptions{Severity: Critical, Contain: true, Cooldown: 10 * time.Minute}},
		Flood:        FloodOptions{RateOptions: RateOptions{RuleOptions: RuleOptions{Severity: High, Cooldown: 10 * time.Minute}, Threshold: 1200, Window: time.Minute}},
		Travel: TravelOptions{RuleOptions: RuleOptions{Severity: High, Cooldown: hour},
			MaxSpeedKmh: 900, MinDistanceKm: 500, ConcurrentCountries: true, Window: 30 * time.Minute},
		Takeover: TakeoverOptions{RuleOptions: RuleOptions{Severity: High, Cooldown: 12 * hour},
			DistinctActors: 3, Window: 24 * hour},
	}
	defaultScopeRules(&c)
	c.CallFlood = defaultCallFlood()
	c.ControlFailure = defaultControlFailure()
	return c
}

// ParseConfig reads a YAML rule configuration over DefaultConfig: keys
// that are absent keep their defaults. Unknown keys are errors.
func ParseConfig(data []byte) (Config, error) {
	c := DefaultConfig()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	// io.EOF is an empty document: all defaults.
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("monitor: rule configuration: %w", err)
	}
	if err := c.validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// validate checks every value and compiles schedules and prefixes.
func (c *Config) validate() error {
	var errs []error
	check := func(rule string, ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf("monitor: %s: "+format, append([]any{rule}, args...)...))
		}
	}
	for _, r := range []struct {
		name string
		o    RuleOptions
	}{
		{RuleBulkAccess, c.BulkAccess.RuleOptions}, {RuleOffHours, c.OffHours.RuleOptions},
		{RuleFailedAuth, c.FailedAuth.RuleOptions}, {RuleRevealSpike, c.RevealSpike.RuleOptions},
		{RuleMassPlayback, c.MassPlayback.RuleOptions}, {RuleHoney, c.Honey.RuleOptions}, {RuleFlood, c.Flood.RuleOptions},
		{RuleTravel, c.Travel.RuleOptions}, {RuleTakeover, c.Takeover.RuleOptions},
		{RuleUnassigned, c.Unassigned.RuleOptions}, {RuleBreakGlass, c.BreakGlass.RuleOptions},
		{RuleCallFlood, c.CallFlood.RuleOptions}, {RuleControlFailure, c.ControlFailure.RuleOptions},
	} {
		check(r.name, r.o.Severity.valid(), "severity %q is not low, medium, high or critical", r.o.Severity)
		check(r.name, r.o.Cooldown >= 0, "cooldown must not be negative")
	}
	rate := func(rule string, threshold int, window time.Duration) {
		check(rule, threshold >= 1 && threshold <= 1_000_000, "threshold %d: must be 1 to 1000000", threshold)
		check(rule, window > 0 && window <= 7*24*time.Hour, "window %v: must be positive and at most 168h", window)
	}
	b := c.BulkAccess
	check(RuleBulkAccess, b.Cap >= 1, "cap %d: must be positive", b.Cap)
	check(RuleBulkAccess, b.ZScore >= 0, "z_score must not be negative")
	check(RuleBulkAccess, b.HistoryHours >= 1 && b.HistoryHours <= 10_000, "history_hours %d: must be 1 to 10000", b.HistoryHours)
	check(RuleBulkAccess, b.MinHistoryHours >= 0 && b.MinHistoryHours <= b.HistoryHours, "min_history_hours must be 0 to history_hours")
	rate(RuleOffHours, c.OffHours.MinCustomers, c.OffHours.Window)
	for role, s := range c.OffHours.Schedules {
		cs, err := s.compile()
		if err != nil {
			errs = append(errs, fmt.Errorf("monitor: off_hours: schedule of %s: %w", role, err))
			continue
		}
		s.compiled = cs
		c.OffHours.Schedules[role] = s
	}
	rate(RuleFailedAuth+".per_ip", c.FailedAuth.PerIP.Threshold, c.FailedAuth.PerIP.Window)
	rate(RuleFailedAuth+".per_actor", c.FailedAuth.PerActor.Threshold, c.FailedAuth.PerActor.Window)
	rate(RuleRevealSpike, c.RevealSpike.Threshold, c.RevealSpike.Window)
	rate(RuleMassPlayback, c.MassPlayback.Threshold, c.MassPlayback.Window)
	rate(RuleFlood, c.Flood.Threshold, c.Flood.Window)
	rate(RuleUnassigned, c.Unassigned.Threshold, c.Unassigned.Window)
	c.Flood.exempt = nil
	for _, e := range c.Flood.Exempt {
		p, err := netip.ParsePrefix(e)
		if err != nil {
			errs = append(errs, fmt.Errorf("monitor: api_flood: exempt %q: not a CIDR prefix", e))
			continue
		}
		c.Flood.exempt = append(c.Flood.exempt, p.Masked())
	}
	for _, id := range c.Honey.Customers {
		check(RuleHoney, id != "" && len(id) <= 128, "customer id %q: must be 1 to 128 characters", id)
	}
	errs = append(errs, c.Travel.validate()...)
	errs = append(errs, c.Takeover.validate()...)
	errs = append(errs, c.CallFlood.validate()...)
	errs = append(errs, c.ControlFailure.validate()...)
	return errors.Join(errs...)
}

package monitor

import (
	"fmt"
	"math"
	"time"
)

// RuleCallFlood names call_flood.
const RuleCallFlood = "call_flood"

// CallFloodOptions configure call_flood, which watches ingested calls and
// SMS (interaction.create) for telephony denial of service (TDoS):
//
//   - per number: more than PerNumber interactions from one calling number
//     (the keyed hash caller_key the records service puts in the audit
//     event; the number itself is never in the log) within Window;
//   - volume: more interactions in the current clock hour than the
//     seasonal baseline allows — the mean and deviation of the same hour of
//     the week over the last HistoryWeeks weeks, plus ZScore deviations,
//     and at least MinVolume — once MinWeeks weeks of that hour are known.
//     A flood from many numbers, which no per-number count sees.
type CallFloodOptions struct {
	RuleOptions  `yaml:",inline"`
	PerNumber    int           `yaml:"per_number"`
	Window       time.Duration `yaml:"window"`
	ZScore       float64       `yaml:"z_score"`
	MinVolume    int           `yaml:"min_volume"`
	HistoryWeeks int           `yaml:"history_weeks"`
	MinWeeks     int           `yaml:"min_weeks"`
}

func defaultCallFlood() CallFloodOptions {
	return CallFloodOptions{RuleOptions: RuleOptions{Severity: High, Cooldown: time.Hour},
		PerNumber: 20, Window: time.Hour, ZScore: 4, MinVolume: 50, HistoryWeeks: 8, MinWeeks: 2}
}

func (o *CallFloodOptions) validate() []error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf("monitor: %s: "+format, append([]any{RuleCallFlood}, args...)...))
		}
	}
	check(o.PerNumber >= 1 && o.PerNumber <= 1_000_000, "per_number %d: must be 1 to 1000000", o.PerNumber)
	check(o.Window > 0 && o.Window <= 7*24*time.Hour, "window %v: must be positive and at most 168h", o.Window)
	check(o.ZScore >= 0, "z_score must not be negative")
	check(o.MinVolume >= 1, "min_volume %d: must be positive", o.MinVolume)
	check(o.HistoryWeeks >= 1 && o.HistoryWeeks <= 52, "history_weeks %d: must be 1 to 52", o.HistoryWeeks)
	check(o.MinWeeks >= 1 && o.MinWeeks <= o.HistoryWeeks, "min_weeks must be 1 to history_weeks")
	return errs
}

// callVolume is the seasonal baseline of call_flood: interactions per clock
// hour, by hour of the week.
type callVolume struct {
	Hour  int64 // current clock hour (µs / 1h)
	Count int   // interactions in Hour so far
	// Cap, if > 0, is the most that Hour adds to the baseline: the
	// volume the baseline allowed when the hour fired, so that a flood
	// does not teach the baseline to accept the next one.
	Cap   int
	Slots [][]int32 // by hour of the week (168): counts of past weeks, oldest first
}

// hourOfWeek is the slot of a clock hour (hours since the epoch, which
// began on a Thursday; the offset makes Monday 00:00 UTC slot 0).
func hourOfWeek(hour int64) int { return int((hour + 72) % 168) }

// callFlood watches interaction.create events of calls and SMS.
func (d *Detector) callFlood(out []Finding, ev *Event, now int64) []Finding {
	o := d.cfg.CallFlood
	if o.Disabled || ev.Action != "interaction.create" || ev.Outcome != "success" {
		return out
	}
	if ch, _ := ev.Details["channel"].(string); ch != "call" && ch != "sms" {
		return out
	}
	if key, _ := ev.Details["caller_key"].(string); key != "" && len(key) <= 64 {
		w, n := d.rate(RuleCallFlood, "number:"+key, o.Window, false, now, ev.Seq, "", o.PerNumber+1)
		if n > o.PerNumber {
			out = d.fire(out, o.RuleOptions, RuleCallFlood, "number:"+key, now, Finding{Evidence: w.evidence(),
				Summary: fmt.Sprintf("%d calls or SMS from one number (caller key %s) within %v", n, key, o.Window)})
		}
	}
	return d.callVolume(out, ev, now)
}

// callVolume keeps the seasonal baseline and fires on an hour above it.
func (d *Detector) callVolume(out []Finding, ev *Event, now int64) []Finding {
	o := d.cfg.CallFlood
	v := d.st.Calls
	hour := now / hourMicros
	if v == nil {
		v = &callVolume{Hour: hour, Slots: make([][]int32, 168)}
		d.st.Calls = v
	}
	if hour < v.Hour { // events out of order across an hour: count them in the current one
		hour = v.Hour
	}
	if hour != v.Hour {
		// Close the finished hour, and record the empty hours between.
		for h := v.Hour; h < hour && h < v.Hour+168; h++ {
			c := int32(0)
			if h == v.Hour {
				c = int32(v.Count)
				if v.Cap > 0 {
					c = int32(min(v.Count, v.Cap))
				}
			}
			s := &v.Slots[hourOfWeek(h)]
			*s = append(*s, c)
			if len(*s) > o.HistoryWeeks {
				*s = append((*s)[:0], (*s)[len(*s)-o.HistoryWeeks:]...)
			}
		}
		v.Hour, v.Count, v.Cap = hour, 0, 0
	}
	v.Count++
	past := v.Slots[hourOfWeek(hour)]
	if len(past) < o.MinWeeks || v.Count < o.MinVolume {
		return out
	}
	var sum, sumSq float64
	for _, c := range past {
		sum += float64(c)
		sumSq += float64(c) * float64(c)
	}
	k := float64(len(past))
	mean := sum / k
	std := max(math.Sqrt(max(sumSq/k-mean*mean, 0)), math.Sqrt(mean), 1)
	limit := mean + o.ZScore*std
	if float64(v.Count) <= limit {
		return out
	}
	if v.Cap == 0 {
		v.Cap = max(int(limit), 1)
	}
	return d.fire(out, o.RuleOptions, RuleCallFlood, fmt.Sprintf("volume:%d", hour), now, Finding{Evidence: []int64{ev.Seq},
		Summary: fmt.Sprintf("%d calls or SMS in this hour, against %.0f ± %.0f in the same hour of past weeks", v.Count, mean, std)})
}

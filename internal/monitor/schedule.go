package monitor

import (
	"fmt"
	"strings"
	"time"
)

// Schedule is a team's or role's working hours in a time zone: the days
// of the week worked and the daily start and end ("HH:MM", end exclusive;
// an end before the start spans midnight, for night shifts).
type Schedule struct {
	TimeZone string   `yaml:"time_zone"` // IANA name, e.g. "Europe/Paris"
	Days     []string `yaml:"days"`      // "mon" … "sun"
	Start    string   `yaml:"start"`
	End      string   `yaml:"end"`

	compiled *compiledSchedule
}

type compiledSchedule struct {
	loc        *time.Location
	days       [7]bool // by time.Weekday
	start, end int     // minutes after local midnight
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

func (s Schedule) compile() (*compiledSchedule, error) {
	tz := s.TimeZone
	if tz == "" {
		tz = "UTC"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("time_zone %q: unknown", tz)
	}
	c := &compiledSchedule{loc: loc}
	if len(s.Days) == 0 {
		return nil, fmt.Errorf("days: none given")
	}
	for _, d := range s.Days {
		wd, ok := weekdays[strings.ToLower(d)]
		if !ok {
			return nil, fmt.Errorf("day %q: use mon, tue, wed, thu, fri, sat or sun", d)
		}
		c.days[wd] = true
	}
	if c.start, err = clockMinutes(s.Start); err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	if c.end, err = clockMinutes(s.End); err != nil {
		return nil, fmt.Errorf("end: %w", err)
	}
	if c.start == c.end {
		return nil, fmt.Errorf("start and end are equal")
	}
	return c, nil
}

func clockMinutes(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// contains reports whether t falls within the working hours. For a shift
// that spans midnight the day is that of the shift's start.
func (c *compiledSchedule) contains(t time.Time) bool {
	lt := t.In(c.loc)
	m := lt.Hour()*60 + lt.Minute()
	if c.start < c.end {
		return c.days[lt.Weekday()] && m >= c.start && m < c.end
	}
	if m >= c.start {
		return c.days[lt.Weekday()]
	}
	return m < c.end && c.days[(lt.Weekday()+6)%7]
}

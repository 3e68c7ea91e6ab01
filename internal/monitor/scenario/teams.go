package scenario

import "time"

// team is a team of the simulated contact center: its workload and its
// working hours. Every ten users (eight agents, a QA analyst and a
// supervisor) form a block of one team.
type team struct {
	name string
	// Customers an agent handles per working hour: from rate to
	// rate+spread, by the agent.
	rate, spread float64
	// Shifts start from shift to shift+shifts-1 (UTC).
	shift, shifts int
	// batch: the agents work through lists of records (no calls).
	batch bool
}

// teams, by block of ten users (block mod 10 → team). The back office
// reads 22 to 34 customers an hour, a busy hour near bulk_access's cap;
// retention works late, until the contact center closes.
var teams = [10]team{
	{name: "inbound", rate: 8, spread: 12, shift: 7, shifts: 2}, {name: "inbound", rate: 8, spread: 12, shift: 7, shifts: 2},
	{name: "inbound", rate: 8, spread: 12, shift: 7, shifts: 2}, {name: "inbound", rate: 8, spread: 12, shift: 7, shifts: 2},
	{name: "billing", rate: 4, spread: 8, shift: 8, shifts: 3}, {name: "billing", rate: 4, spread: 8, shift: 8, shifts: 3},
	{name: "billing", rate: 4, spread: 8, shift: 8, shifts: 3},
	{name: "retention", rate: 3, spread: 6, shift: 10, shifts: 2}, {name: "retention", rate: 3, spread: 6, shift: 10, shifts: 2},
	{name: "backoffice", rate: 22, spread: 12, shift: 8, shifts: 2, batch: true},
}

// closing is the hour (UTC) the contact center closes: the end of the
// default working hours of every role (off_hours). A shift with an extra
// hour that would run past it starts an hour earlier.
const closing = 20

// joinTeam puts u in its block's team, with the team's workload and
// shifts (from the rate and shift u drew), and makes a few agents joiners
// who start a third of the way through the scenario, a little faster than
// their team's top pace, with no history of their own: the cap and their
// team's baseline decide their first hours.
func (g *gen) joinTeam(u *user) {
	t := teamOfUser(*u)
	g.teamOf[u.id] = t.name
	u.shift = t.shift + (u.shift-7)%t.shifts
	if u.role == "agent" {
		u.rate = t.rate + (u.rate-4)/14*t.spread
	}
	if k := u.idx % 100; k == 23 || k == 93 || k == 97 {
		u.joins = g.opt.Weeks * 7 / 3
		if u.role == "agent" {
			u.rate = t.rate + 1.5*t.spread
		}
	}
}

// teamOfUser returns u's team.
func teamOfUser(u user) team { return teams[(u.idx/10)%len(teams)] }

// shiftStart returns when u's shift of hours starts on day: their shift's
// hour, or earlier so that it ends by closing.
func shiftStart(u user, day time.Time, hours int) time.Time {
	return day.Add(time.Duration(min(u.shift, closing-hours)) * time.Hour)
}

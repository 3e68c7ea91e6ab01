//go:build race

package scenario_test

// raceEnabled: the race detector multiplies the full scenario's memory
// (about 2.5 GB without it) several times over, so race builds run the
// smaller scenario.
const raceEnabled = true

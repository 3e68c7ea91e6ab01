package monitor

// window holds the recent events of one subject (an actor or an address)
// for a rate rule: at most limit entries, none older than span before the
// newest. In distinct mode an entry is the first occurrence of its key
// within the window, so the count is of distinct keys. Fields are exported
// for the state snapshot only.
type window struct {
	At   []int64  // event times, µs
	Seq  []int64  // audit indexes
	Key  []string // distinct mode: the entry's key
	Span int64    // µs
	// Keys counts the live entries of each key (distinct mode).
	Keys map[string]int `json:",omitempty"`
}

func newWindow(span int64, distinct bool) *window {
	w := &window{Span: span}
	if distinct {
		w.Keys = map[string]int{}
	}
	return w
}

// add records an event at time at (µs, not before the previous one) and
// returns the number of entries in the window. limit bounds the entries
// kept: once a rule's threshold is reached older entries add nothing.
func (w *window) add(at, seq int64, key string, limit int) int {
	w.evict(at - w.Span)
	if w.Keys != nil {
		if w.Keys[key] > 0 {
			return len(w.At)
		}
		w.Keys[key]++
		w.Key = append(w.Key, key)
	}
	w.At = append(w.At, at)
	w.Seq = append(w.Seq, seq)
	if len(w.At) > limit {
		w.drop(len(w.At) - limit)
	}
	return len(w.At)
}

// evict drops the entries older than cutoff.
func (w *window) evict(cutoff int64) {
	n := 0
	for n < len(w.At) && w.At[n] <= cutoff {
		n++
	}
	if n > 0 {
		w.drop(n)
	}
}

// drop removes the n oldest entries.
func (w *window) drop(n int) {
	if w.Keys != nil {
		for _, k := range w.Key[:n] {
			if w.Keys[k]--; w.Keys[k] <= 0 {
				delete(w.Keys, k)
			}
		}
		w.Key = append(w.Key[:0], w.Key[n:]...)
	}
	w.At = append(w.At[:0], w.At[n:]...)
	w.Seq = append(w.Seq[:0], w.Seq[n:]...)
}

// idle reports whether every entry is older than the span at now.
func (w *window) idle(now int64) bool {
	return len(w.At) == 0 || w.At[len(w.At)-1] <= now-w.Span
}

// evidence returns a copy of the audit indexes in the window.
func (w *window) evidence() []int64 {
	return append([]int64(nil), w.Seq...)
}

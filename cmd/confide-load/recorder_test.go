package main

import (
	"testing"
	"time"
)

func TestDistributionQuantiles(t *testing.T) {
	tests := []struct {
		name    string
		samples []time.Duration // added in this order
		want    Distribution
	}{
		{
			name: "none",
			want: Distribution{Exact: true},
		},
		{
			name:    "one",
			samples: []time.Duration{3 * time.Millisecond},
			want:    Distribution{Count: 1, Exact: true, MinMS: 3, MeanMS: 3, P50MS: 3, P90MS: 3, P99MS: 3, P999MS: 3, MaxMS: 3},
		},
		{
			name:    "1 to 100 ms, reversed",
			samples: msRange(100, 1, -1),
			want:    Distribution{Count: 100, Exact: true, MinMS: 1, MeanMS: 50.5, P50MS: 50, P90MS: 90, P99MS: 99, P999MS: 100, MaxMS: 100},
		},
		{
			name:    "1 to 1000 ms",
			samples: msRange(1, 1000, 1),
			want:    Distribution{Count: 1000, Exact: true, MinMS: 1, MeanMS: 500.5, P50MS: 500, P90MS: 900, P99MS: 990, P999MS: 999, MaxMS: 1000},
		},
		{
			name:    "one outlier in 1000 shows only in the max",
			samples: append(repeat(time.Millisecond, 999), time.Second),
			want:    Distribution{Count: 1000, Exact: true, MinMS: 1, MeanMS: 1.999, P50MS: 1, P90MS: 1, P99MS: 1, P999MS: 1, MaxMS: 1000},
		},
		{
			name:    "sub-millisecond keeps microseconds",
			samples: []time.Duration{250 * time.Microsecond, 1250 * time.Microsecond},
			want:    Distribution{Count: 2, Exact: true, MinMS: 0.25, MeanMS: 0.75, P50MS: 0.25, P90MS: 1.25, P99MS: 1.25, P999MS: 1.25, MaxMS: 1.25},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRecorder(1)
			for _, d := range tt.samples {
				r.add(d)
			}
			if got := r.distribution(); got != tt.want {
				t.Errorf("distribution =\n %+v, want\n %+v", got, tt.want)
			}
		})
	}
}

func TestMergeIsExactUpToTheLimit(t *testing.T) {
	a, b := newRecorder(1), newRecorder(2)
	for _, d := range msRange(1, 500, 1) {
		a.add(d)
	}
	for _, d := range msRange(501, 1000, 1) {
		b.add(d)
	}
	a.merge(b)
	a.merge(newRecorder(3)) // empty
	want := Distribution{Count: 1000, Exact: true, MinMS: 1, MeanMS: 500.5, P50MS: 500, P90MS: 900, P99MS: 990, P999MS: 999, MaxMS: 1000}
	if got := a.distribution(); got != want {
		t.Errorf("merged distribution =\n %+v, want\n %+v", got, want)
	}
}

// Past exactSamples the recorder samples uniformly: quantiles of a uniform
// ramp stay close to the truth, the count and the maximum stay exact.
func TestSampledBeyondTheLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("adds 3·10^6 samples")
	}
	const n = 3 * exactSamples / 2
	a, b := newRecorder(1), newRecorder(2)
	for i := range n {
		d := time.Duration(i+1) * time.Microsecond
		if i%3 == 0 {
			b.add(d)
		} else {
			a.add(d)
		}
	}
	a.add(time.Duration(n+1) * time.Microsecond) // the maximum, last
	a.merge(b)
	got := a.distribution()
	if got.Exact || got.Count != n+1 || got.MaxMS != float64(n+1)/1000 {
		t.Errorf("exact=%v count=%d max=%v, want false, %d, %v", got.Exact, got.Count, got.MaxMS, n+1, float64(n+1)/1000)
	}
	for _, q := range []struct {
		name      string
		got, want float64
	}{{"p50", got.P50MS, 0.50 * n / 1000}, {"p90", got.P90MS, 0.90 * n / 1000}, {"p99", got.P99MS, 0.99 * n / 1000}} {
		if q.got < q.want*0.99 || q.got > q.want*1.01 {
			t.Errorf("%s = %.1f ms, want within 1%% of %.1f", q.name, q.got, q.want)
		}
	}
}

func msRange(from, to, step int) []time.Duration {
	var s []time.Duration
	for i := from; ; i += step {
		s = append(s, time.Duration(i)*time.Millisecond)
		if i == to {
			return s
		}
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	s := make([]time.Duration, n)
	for i := range s {
		s[i] = d
	}
	return s
}

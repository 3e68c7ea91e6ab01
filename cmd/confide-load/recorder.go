package main

import (
	"math/rand/v2"
	"slices"
	"time"
)

// exactSamples is how many latencies a recorder keeps one by one. Up to this
// count quantiles are exact; past it the recorder keeps a uniform random
// sample of this size (reservoir sampling), and reports so.
const exactSamples = 1_000_000

// recorder collects the latencies of one worker. It is not safe for
// concurrent use: each worker owns one, and they are merged at the end.
type recorder struct {
	samples []time.Duration // every latency, or a uniform sample once seen > exactSamples
	seen    int64           // latencies offered, kept or not
	max     time.Duration   // exact, whether sampled or not
	rng     *rand.Rand
}

func newRecorder(seed uint64) *recorder {
	return &recorder{rng: rand.New(rand.NewPCG(seed, 0x5eed))}
}

// add records one latency.
func (r *recorder) add(d time.Duration) {
	r.seen++
	r.max = max(r.max, d)
	if len(r.samples) < exactSamples {
		r.samples = append(r.samples, d)
		return
	}
	// Algorithm R: the n-th latency replaces a random kept one with
	// probability exactSamples/n, so every latency is kept equally likely.
	if j := r.rng.Int64N(r.seen); j < exactSamples {
		r.samples[j] = d
	}
}

// merge adds o's latencies to r. Once the total passes exactSamples the
// result is a sample in which each source weighs by how many latencies it saw.
func (r *recorder) merge(o *recorder) {
	if o.seen == 0 {
		return
	}
	if r.seen+o.seen <= exactSamples {
		r.samples = append(r.samples, o.samples...)
		r.seen += o.seen
		r.max = max(r.max, o.max)
		return
	}
	total := r.seen + o.seen
	mixed := make([]time.Duration, 0, exactSamples)
	for range exactSamples {
		if r.rng.Int64N(total) < r.seen {
			mixed = append(mixed, r.samples[r.rng.IntN(len(r.samples))])
		} else {
			mixed = append(mixed, o.samples[r.rng.IntN(len(o.samples))])
		}
	}
	r.samples, r.seen, r.max = mixed, total, max(r.max, o.max)
}

// Distribution summarises recorded latencies, in milliseconds.
type Distribution struct {
	Count  int64   `json:"count"`
	Exact  bool    `json:"exact"` // false when quantiles come from a uniform sample
	MinMS  float64 `json:"min_ms"`
	MeanMS float64 `json:"mean_ms"`
	P50MS  float64 `json:"p50_ms"`
	P90MS  float64 `json:"p90_ms"`
	P99MS  float64 `json:"p99_ms"`
	P999MS float64 `json:"p99_9_ms"`
	MaxMS  float64 `json:"max_ms"`
}

// distribution sorts r's samples and summarises them. Quantiles use the
// nearest-rank method: the q-quantile is the smallest latency that at least
// q of the samples do not exceed.
func (r *recorder) distribution() Distribution {
	if len(r.samples) == 0 {
		return Distribution{Exact: true}
	}
	slices.Sort(r.samples)
	var sum time.Duration
	for _, d := range r.samples {
		sum += d
	}
	return Distribution{
		Count:  r.seen,
		Exact:  r.seen == int64(len(r.samples)),
		MinMS:  ms(r.samples[0]),
		MeanMS: ms(sum / time.Duration(len(r.samples))),
		P50MS:  ms(nearestRank(r.samples, 0.50)),
		P90MS:  ms(nearestRank(r.samples, 0.90)),
		P99MS:  ms(nearestRank(r.samples, 0.99)),
		P999MS: ms(nearestRank(r.samples, 0.999)),
		MaxMS:  ms(r.max),
	}
}

// nearestRank returns the q-quantile of sorted, which is not empty.
func nearestRank(sorted []time.Duration, q float64) time.Duration {
	// rank = ceil(q·n), computed in integers to avoid 0.99·100 = 98.99999.
	n := len(sorted)
	perMille := int(q*1000 + 0.5)
	rank := (perMille*n + 999) / 1000
	return sorted[max(rank, 1)-1]
}

func ms(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

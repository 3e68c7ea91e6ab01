package audit

import (
	"sync"
	"time"
)

// Status is what one node's checkpointer knows about the log, for metrics
// and health checks.
type Status struct {
	// Head is the number of records in the log when the checkpointer last
	// looked; CheckpointSize is the size of the latest signed checkpoint
	// then. Head - CheckpointSize records were waiting for a checkpoint.
	Head, CheckpointSize int64
	// LastIntegrate is when the checkpointer last brought the checkpoint
	// up to the head it saw (zero before the first time).
	LastIntegrate time.Time
	// LastVerified is when a full verification of the log last succeeded,
	// and VerifiedSize how many records it covered (zero before the first).
	LastVerified time.Time
	VerifiedSize int64
	// Verifying is true while a full verification runs.
	Verifying bool
	// Tampered is true once this node has found the log tampered with.
	Tampered bool
}

type statusCell struct {
	mu sync.Mutex
	s  Status
}

func (c *statusCell) update(f func(*Status)) {
	c.mu.Lock()
	f(&c.s)
	c.mu.Unlock()
}

// Status returns this node's view of the log.
func (l *Log) Status() Status {
	l.status.mu.Lock()
	s := l.status.s
	l.status.mu.Unlock()
	s.Tampered = l.tampered.Load()
	return s
}

package vault

import "sync/atomic"

// Stats is a snapshot of the vault's operation counters, for metrics. Counts
// only grow.
type Stats struct {
	Seals        uint64 // fields sealed
	Opens        uint64 // fields opened
	BlobEncrypts uint64 // blobs fully encrypted (writer closed)
	BlobOpens    uint64 // blobs opened for reading
	Unwraps      uint64 // customer keysets unwrapped
	Failures     uint64 // failed decryptions and unwraps of any kind
}

type counters struct {
	seals, opens, blobEncrypts, blobOpens, unwraps, failures atomic.Uint64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Seals:        c.seals.Load(),
		Opens:        c.opens.Load(),
		BlobEncrypts: c.blobEncrypts.Load(),
		BlobOpens:    c.blobOpens.Load(),
		Unwraps:      c.unwraps.Load(),
		Failures:     c.failures.Load(),
	}
}

// fail counts a failed decryption and returns ErrDecrypt.
func (c *counters) fail() error {
	c.failures.Add(1)
	return ErrDecrypt
}

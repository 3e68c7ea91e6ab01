package audit

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// WriteWitness publishes a signed checkpoint note of tree size size to
// dir, outside the database: as dir/<size> and as dir/latest, each
// written to a temporary file and renamed into place, so a reader never
// sees a partial note. Rewriting history then also means rewriting
// (or fooling) this copy, which an operator keeps on other storage.
func WriteWitness(dir string, size int64, note []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("audit: witness directory: %w", err)
	}
	for _, name := range []string{strconv.FormatInt(size, 10), "latest"} {
		if err := writeFileAtomic(filepath.Join(dir, name), note); err != nil {
			return fmt.Errorf("audit: witness checkpoint: %w", err)
		}
	}
	return nil
}

// writeFileAtomic writes data to path through a temporary file in the
// same directory and a rename.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // fails harmlessly once renamed
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

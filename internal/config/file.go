package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"go.yaml.in/yaml/v3"
)

// maxFileBytes bounds the size of a config file.
const maxFileBytes = 1 << 20

// loadFile applies the settings of the YAML config file at path to c.
func loadFile(c *Config, prov *provenance, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	if len(data) > maxFileBytes {
		return fmt.Errorf("config file %s: larger than %s", path, FormatSize(maxFileBytes))
	}
	if err := applyYAML(c, prov, data); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return nil
}

// applyYAML applies a YAML document mapping setting keys to scalar values.
// An empty document sets nothing. Unknown keys, repeated keys and values
// that are not scalars are errors; each names its line and key.
func applyYAML(c *Config, prov *provenance, data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		return errors.New("must hold a single YAML document")
	}
	if len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: expected a mapping of setting names to values", root.Line)
	}
	var errs []error
	seen := make(map[string]int)
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if err := applyYAMLEntry(c, prov, k, v, seen); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// applyYAMLEntry applies one key: value pair of the top-level mapping;
// seen maps the keys already applied to their lines.
func applyYAMLEntry(c *Config, prov *provenance, k, v *yaml.Node, seen map[string]int) error {
	if k.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: a setting name must be a plain string", k.Line)
	}
	s := settingByKey(k.Value)
	if s == nil {
		msg := fmt.Sprintf("line %d: unknown key %q", k.Line, k.Value)
		if guess := closest(k.Value, settingKeys()); guess != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", guess)
		}
		return errors.New(msg)
	}
	if line, ok := seen[s.key]; ok {
		return fmt.Errorf("line %d: %s: already set on line %d", k.Line, s.key, line)
	}
	seen[s.key] = k.Line
	if v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	switch {
	case v.Kind != yaml.ScalarNode:
		return fmt.Errorf("line %d: %s: expected a single value, not a list or mapping", v.Line, s.key)
	case v.Tag == "!!null":
		return fmt.Errorf("line %d: %s: has no value; remove the line to use the default", v.Line, s.key)
	}
	if err := s.set(c, v.Value); err != nil {
		return fmt.Errorf("line %d: %s: %w", v.Line, s.key, err)
	}
	prov.sources[s.key] = sourceFile
	return nil
}

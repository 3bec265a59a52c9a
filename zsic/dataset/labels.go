package dataset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// LoadLabels reads class names, by label id, from path: a JSON array of
// strings, or one name per line (blank lines only at the end). Names must
// be non-empty and distinct.
func LoadLabels(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load labels: %w", err)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var names []string
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '[' {
		if err := json.Unmarshal(t, &names); err != nil {
			return nil, fmt.Errorf("load labels %s: want a JSON array of strings: %w", path, err)
		}
	} else if names, err = labelLines(string(data)); err != nil {
		return nil, fmt.Errorf("load labels %s: %w", path, err)
	}
	if err := checkNames(names); err != nil {
		return nil, fmt.Errorf("load labels %s: %w", path, err)
	}
	return names, nil
}

// labelLines splits text into lines, allowing blank lines only at the end.
func labelLines(text string) ([]string, error) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
		if lines[i] == "" {
			return nil, fmt.Errorf("line %d is blank: want one class name per line", i+1)
		}
	}
	return lines, nil
}

// checkNames reports an empty list, an empty name or a repeated name.
func checkNames(names []string) error {
	if len(names) == 0 {
		return fmt.Errorf("no class names")
	}
	seen := make(map[string]int, len(names))
	for i, n := range names {
		if n == "" {
			return fmt.Errorf("class %d has an empty name", i)
		}
		if j, ok := seen[n]; ok {
			return fmt.Errorf("class name %q is repeated (ids %d and %d)", n, j, i)
		}
		seen[n] = i
	}
	return nil
}

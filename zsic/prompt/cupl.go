package prompt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
)

// CuPL is a set of class-specific prompts, as CuPL publishes them: class
// name → full prompts (no placeholders).
type CuPL map[string][]string

// LoadCuPL reads a CuPL JSON file: an object of class name → non-empty
// array of prompts.
func LoadCuPL(path string) (CuPL, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("class prompts: %w", err)
	}
	data = bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\ufeff")))
	if len(data) == 0 {
		return nil, fmt.Errorf("class prompts %s: the file is empty; want a JSON object of class name → array of prompts", path)
	}
	var c CuPL
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("class prompts %s: want a JSON object of class name → array of prompts: %w", path, err)
	}
	if len(c) == 0 {
		return nil, fmt.Errorf("class prompts %s: no classes", path)
	}
	for k, ps := range c {
		if len(ps) == 0 {
			return nil, fmt.Errorf("class prompts %s: class %q has no prompts", path, k)
		}
		for i, p := range ps {
			if strings.TrimSpace(p) == "" {
				return nil, fmt.Errorf("class prompts %s: class %q: prompt %d is empty", path, k, i)
			}
		}
	}
	return c, nil
}

// lookup finds the prompts of a class by its name as given or as it goes
// into a prompt ("_" read as a space).
func (c CuPL) lookup(name string) ([]string, bool) {
	if ps, ok := c[name]; ok {
		return ps, true
	}
	ps, ok := c[strings.ReplaceAll(name, "_", " ")]
	return ps, ok
}

// ClassPrompts returns each class's prompts: templates filled with the
// class's name as given (callers that read "_" as a space pass names so
// converted), or, when cupl is not nil, the CuPL prompts of the class,
// which must name every class (as given, or with "_" read as a space). The
// classes' embeddings are the ensembles of these prompts.
func ClassPrompts(classes, templates []string, cupl CuPL) ([][]string, error) {
	out := make([][]string, len(classes))
	if cupl != nil {
		var missing []string
		for i, c := range classes {
			ps, ok := cupl.lookup(c)
			if !ok {
				missing = append(missing, fmt.Sprintf("%d %q", i, c))
				continue
			}
			out[i] = slices.Clone(ps)
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("class prompts name %d of %d classes; missing: %s", len(classes)-len(missing), len(classes), firstFew(missing, 8))
		}
		return out, nil
	}
	if len(templates) == 0 {
		return nil, fmt.Errorf("no templates")
	}
	for i, c := range classes {
		out[i] = make([]string, len(templates))
		for j, t := range templates {
			out[i][j] = Fill(t, c)
		}
	}
	return out, nil
}

// Extra returns the CuPL classes that are not among classes, sorted.
func (c CuPL) Extra(classes []string) []string {
	used := map[string]bool{}
	for _, n := range classes {
		used[n] = true
		used[strings.ReplaceAll(n, "_", " ")] = true
	}
	var extra []string
	for k := range c {
		if !used[k] {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	return extra
}

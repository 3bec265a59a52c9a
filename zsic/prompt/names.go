package prompt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// LoadClassNames reads class names by label id: a built-in list (OpenAI,
// which picks CIFAR-100's or CIFAR-10's by count; OpenAICIFAR100;
// OpenAICIFAR10), or a file of one name a line or a JSON array. When count
// is positive the list must have exactly that many names, the dataset's
// number of classes.
func LoadClassNames(spec string, count int) ([]string, error) {
	var names []string
	var err error
	switch spec {
	case OpenAI:
		switch count {
		case 100:
			spec = OpenAICIFAR100
		case 10:
			spec = OpenAICIFAR10
		case 0:
			return nil, fmt.Errorf("class names %s: which list depends on the number of classes; name %s or %s", OpenAI, OpenAICIFAR100, OpenAICIFAR10)
		default:
			return nil, fmt.Errorf("class names %s: the built-in lists are CIFAR-100's (100 names) and CIFAR-10's (10 names), but the dataset has %d classes", OpenAI, count)
		}
		fallthrough
	case OpenAICIFAR100, OpenAICIFAR10:
		file := "openai/cifar100_classes.txt"
		if spec == OpenAICIFAR10 {
			file = "openai/cifar10_classes.txt"
		}
		data, rerr := builtin.ReadFile(file)
		if rerr != nil {
			return nil, fmt.Errorf("class names %s: %w", spec, rerr)
		}
		names, err = ParseNames(data)
	case "":
		return nil, fmt.Errorf("class names: no file or list named")
	default:
		data, rerr := os.ReadFile(spec)
		if rerr != nil {
			return nil, fmt.Errorf("class names: %w", rerr)
		}
		names, err = ParseNames(data)
	}
	if err != nil {
		return nil, fmt.Errorf("class names %s: %w", spec, err)
	}
	if count > 0 && len(names) != count {
		return nil, fmt.Errorf("class names %s: %d names, but the dataset has %d classes", spec, len(names), count)
	}
	return names, nil
}

// ParseNames parses class names by label id from a JSON array of strings
// or from one name a line (blank lines only at the end). Names must be
// non-empty and distinct. Messages do not name the file; callers add it.
func ParseNames(data []byte) ([]string, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var names []string
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '[' {
		if err := json.Unmarshal(t, &names); err != nil {
			return nil, fmt.Errorf("want a JSON array of strings: %w", err)
		}
	} else {
		lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
		for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
			lines = lines[:len(lines)-1]
		}
		for i, l := range lines {
			if l = strings.TrimSpace(l); l == "" {
				return nil, fmt.Errorf("line %d is blank: want one class name per line", i+1)
			}
			names = append(names, l)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no class names")
	}
	seen := make(map[string]int, len(names))
	for i, n := range names {
		if strings.TrimSpace(n) == "" {
			return nil, fmt.Errorf("class %d has an empty name", i)
		}
		if j, ok := seen[n]; ok {
			return nil, fmt.Errorf("class name %q is repeated (ids %d and %d)", n, j, i)
		}
		seen[n] = i
	}
	return names, nil
}

// Package prompt holds what zero-shot classification puts into the text
// tower: prompt templates (one per line, a JSON array, or CLIP_benchmark's
// JSON object of dataset → templates), class-name lists, CuPL-style
// class-specific prompts, and OpenAI's published sets for CIFAR-10/100 and
// ImageNet. It also summarizes a list for a report (count, SHA-256, first
// three), so that two runs can tell whether they used the same prompts.
package prompt

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
)

//go:embed openai/*.txt
var builtin embed.FS

// Built-in set names.
const (
	// OpenAI names OpenAI's 18 CIFAR-10/100 templates as a template set,
	// and the cleaned CIFAR-100 or CIFAR-10 names (picked by class count)
	// as a class-name set.
	OpenAI = "openai"
	// OpenAIImageNet names OpenAI's 80 ImageNet templates.
	OpenAIImageNet = "openai-imagenet"
	// OpenAICIFAR100 and OpenAICIFAR10 name one cleaned class-name list.
	OpenAICIFAR100 = "openai-cifar100"
	OpenAICIFAR10  = "openai-cifar10"
)

// ErrNoPlaceholder reports a template without a place for the class name.
var ErrNoPlaceholder = errors.New("no {} or {c} for the class name")

// HasPlaceholder reports whether template has a place for the class name:
// "{}" (OpenAI's form) or "{c}" (CLIP_benchmark's).
func HasPlaceholder(template string) bool {
	return strings.Contains(template, "{}") || strings.Contains(template, "{c}")
}

// Fill puts class into every placeholder of template.
func Fill(template, class string) string {
	return strings.NewReplacer("{c}", class, "{}", class).Replace(template)
}

// Templates is a set of prompt templates and where it came from.
type Templates struct {
	// List holds the templates in order; a repeated template stays, and so
	// counts twice in the mean of an ensemble.
	List []string
	// Source is the built-in set's name, or the file (with "#key").
	Source string
	// Warnings note what is legal but likely a mistake (repeats).
	Warnings []string
}

// LoadTemplates reads a template set: a built-in name (OpenAI,
// OpenAIImageNet), or a file, optionally "FILE#key" to pick one entry of a
// JSON object of dataset → templates (CLIP_benchmark's
// en_zeroshot_classification_templates.json). A file holds one template a
// line (blank lines skipped), a JSON array of templates, or such an object.
// Every template needs a placeholder ({} or {c}).
func LoadTemplates(spec string) (*Templates, error) {
	switch spec {
	case OpenAI:
		return builtinTemplates(spec, "openai/cifar_templates.txt")
	case OpenAIImageNet:
		return builtinTemplates(spec, "openai/imagenet_templates.txt")
	case "":
		return nil, errors.New("templates: no file or set named")
	}
	path, key := spec, ""
	if i := strings.LastIndexByte(spec, '#'); i >= 0 {
		if _, err := os.Stat(spec); err != nil { // a file may have '#' in its name
			path, key = spec[:i], spec[i+1:]
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	t, err := ParseTemplates(data, path, key)
	if err != nil {
		return nil, err
	}
	t.Source = spec
	return t, nil
}

func builtinTemplates(name, file string) (*Templates, error) {
	data, err := builtin.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("templates %s: %w", name, err)
	}
	t, err := ParseTemplates(data, name, "")
	if err != nil {
		return nil, err
	}
	t.Source = name
	return t, nil
}

// ParseTemplates parses a template file's bytes (see LoadTemplates); name
// is used in messages, key picks an entry of a JSON object.
func ParseTemplates(data []byte, name, key string) (*Templates, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("templates %s: the file is empty; want one template a line, a JSON array, or a JSON object of dataset → templates", name)
	}
	var list []string
	var lines []int // line numbers of list, for messages; nil for JSON
	switch {
	case trimmed[0] == '[':
		if err := json.Unmarshal(trimmed, &list); err != nil {
			return nil, fmt.Errorf("templates %s: want a JSON array of strings: %w", name, err)
		}
	case trimmed[0] == '{' && json.Valid(trimmed):
		var sets map[string][]string
		if err := json.Unmarshal(trimmed, &sets); err != nil {
			return nil, fmt.Errorf("templates %s: want a JSON object of name → array of templates: %w", name, err)
		}
		keys := make([]string, 0, len(sets))
		for k := range sets {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		switch {
		case key != "":
			var ok bool
			if list, ok = sets[key]; !ok {
				return nil, fmt.Errorf("templates %s: no key %q; it has %s", name, key, firstFew(keys, 12))
			}
		case len(keys) == 1:
			list = sets[keys[0]]
		default:
			return nil, fmt.Errorf("templates %s: a JSON object of %d template sets; pick one as %s#KEY (keys: %s)", name, len(keys), name, firstFew(keys, 12))
		}
		key = ""
	default:
		for i, l := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				list = append(list, l)
				lines = append(lines, i+1)
			}
		}
	}
	if key != "" {
		return nil, fmt.Errorf("templates %s: #%s picks a key of a JSON object, but the file is not one", name, key)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("templates %s: no templates", name)
	}
	where := func(i int) string {
		if lines != nil {
			return fmt.Sprintf("line %d", lines[i])
		}
		return fmt.Sprintf("template %d", i)
	}
	t := &Templates{List: list}
	seen := map[string]int{}
	for i, s := range list {
		if !HasPlaceholder(s) {
			return nil, fmt.Errorf("templates %s: %s %q: %w", name, where(i), s, ErrNoPlaceholder)
		}
		if j, ok := seen[s]; ok {
			t.Warnings = append(t.Warnings, fmt.Sprintf("templates %s: %s repeats %s (%q); both count in the mean", name, where(i), where(j), s))
			continue
		}
		seen[s] = i
	}
	return t, nil
}

// firstFew joins up to n items, noting how many are left.
func firstFew(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

package dataset

import (
	"fmt"
	"os"

	"github.com/zsic/zsic/zsic/prompt"
)

// LoadLabels reads class names, by label id, from path: a JSON array of
// strings, or one name per line (blank lines only at the end), as
// prompt.ParseNames reads them. Names must be non-empty and distinct.
func LoadLabels(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load labels: %w", err)
	}
	names, err := prompt.ParseNames(data)
	if err != nil {
		return nil, fmt.Errorf("load labels %s: %w", path, err)
	}
	return names, nil
}

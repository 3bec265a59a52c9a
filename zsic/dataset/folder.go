package dataset

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// imageExts are the file extensions an ImageFolder dataset reads.
var imageExts = map[string]bool{
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".bmp": true,
	".webp": true, ".tif": true, ".tiff": true,
}

// OpenImageFolder opens an ImageFolder-layout folder: one sub-folder per
// class (classes are the sorted folder names), holding image files at any
// depth. Rows are ordered by class, then path. Hidden files and folders are
// skipped, as are files without an image extension.
func OpenImageFolder(dir string) (Source, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("open image folder: %w", err)
	}
	s := &fileSource{name: dir}
	for _, e := range entries { // ReadDir sorts by name.
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		label := len(s.classes)
		s.classes = append(s.classes, e.Name())
		err := filepath.WalkDir(filepath.Join(dir, e.Name()), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if strings.HasPrefix(d.Name(), ".") && p != filepath.Join(dir, e.Name()) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.IsDir() && imageExts[strings.ToLower(filepath.Ext(p))] {
				s.items = append(s.items, fileItem{path: p, label: label})
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("open image folder %s: %w", dir, err)
		}
	}
	if len(s.classes) == 0 {
		return nil, fmt.Errorf("open image folder %s: no class folders and no .parquet files in it", dir)
	}
	if len(s.items) == 0 {
		return nil, fmt.Errorf("open image folder %s: no images in its %d class folders (extensions %s)", dir, len(s.classes), extList())
	}
	return s, nil
}

// extList returns the image extensions, sorted, for messages.
func extList() string {
	return strings.Join(slices.Sorted(maps.Keys(imageExts)), " ")
}

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
// skipped, as are files without an image extension. A class folder may be
// a symlink to a folder; a class folder without images, a broken symlink,
// or a symlinked folder deeper down is an error, never silently dropped
// (a vanished class would inflate the accuracy).
func OpenImageFolder(dir string) (Source, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("open image folder: %w", err)
	}
	s := &fileSource{name: dir}
	for _, e := range entries { // ReadDir sorts by name.
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		classDir := filepath.Join(dir, e.Name())
		if e.Type()&fs.ModeSymlink != 0 {
			info, err := os.Stat(classDir)
			if err != nil {
				return nil, fmt.Errorf("open image folder %s: class folder %s is a broken symlink: %w", dir, e.Name(), err)
			}
			if !info.IsDir() {
				continue
			}
			// Walk the folder the link points to.
			if classDir, err = filepath.EvalSymlinks(classDir); err != nil {
				return nil, fmt.Errorf("open image folder %s: class folder %s: %w", dir, e.Name(), err)
			}
		} else if !e.IsDir() {
			continue
		}
		label := len(s.classes)
		s.classes = append(s.classes, e.Name())
		before := len(s.items)
		err := filepath.WalkDir(classDir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p == classDir {
				return nil
			}
			if strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				info, err := os.Stat(p)
				if err != nil {
					return fmt.Errorf("%s is a broken symlink: %w", p, err)
				}
				if info.IsDir() {
					return fmt.Errorf("%s is a symlink to a folder inside class folder %s: only class folders themselves may be symlinks; copy or move its images in", p, e.Name())
				}
			}
			if !d.IsDir() && imageExts[strings.ToLower(filepath.Ext(p))] {
				s.items = append(s.items, fileItem{path: p, label: label})
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("open image folder %s: %w", dir, err)
		}
		if len(s.items) == before {
			return nil, fmt.Errorf("open image folder %s: class folder %s holds no images (extensions %s): remove it, or add its images, since an empty class would still be a candidate label",
				dir, e.Name(), extList())
		}
	}
	if len(s.classes) == 0 {
		return nil, fmt.Errorf("open image folder %s: no class folders and no .parquet files in it", dir)
	}
	return s, nil
}

// extList returns the image extensions, sorted, for messages.
func extList() string {
	return strings.Join(slices.Sorted(maps.Keys(imageExts)), " ")
}

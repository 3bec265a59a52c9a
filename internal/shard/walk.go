package shard

import (
	"io/fs"
	"path"
)

// walkFiles calls fn with the path and size of every regular file in fsys,
// skipping hidden files and folders (names starting with ".").
func walkFiles(fsys fs.FS, fn func(path string, size int64)) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != "." && path.Base(p)[0] == '.' {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fn(p, info.Size())
		return nil
	})
}

package hub

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// writeRef records in refs/<revision> that revision points at commit, as
// huggingface_hub does; a commit hash needs no ref.
func writeRef(dir, revision, commit string) error {
	if revision == commit {
		return nil
	}
	path := filepath.Join(dir, "refs", filepath.FromSlash(revision))
	if b, err := os.ReadFile(path); err == nil && string(b) == commit {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write ref %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ref-*")
	if err != nil {
		return fmt.Errorf("write ref %s: %w", path, err)
	}
	_, werr := tmp.WriteString(commit)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write ref %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write ref %s: %w", path, err)
	}
	return nil
}

// cachedCommit is the commit that revision resolves to in the cache folder
// dir: revision itself when it is a commit hash, else the content of
// refs/<revision>.
func cachedCommit(dir, revision string) (string, error) {
	if commitRE.MatchString(revision) {
		return revision, nil
	}
	path := filepath.Join(dir, "refs", filepath.FromSlash(revision))
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("no ref %s: %w", path, ErrNotCached)
	}
	commit := strings.TrimSpace(string(b))
	if !commitRE.MatchString(commit) {
		return "", fmt.Errorf("ref %s holds %q, not a commit hash", path, commit)
	}
	return commit, nil
}

// linkBlob makes pointer a relative symlink to blob, replacing whatever was
// there, as huggingface_hub lays out snapshots. On Windows, where a symlink
// needs a privilege most users lack, pointer is a hard link to blob instead
// (a copy where hard links fail), much as huggingface_hub copies there.
func linkBlob(blob, pointer string) error {
	if err := os.MkdirAll(filepath.Dir(pointer), 0o755); err != nil {
		return fmt.Errorf("link %s: %w", pointer, err)
	}
	if runtime.GOOS == "windows" {
		return hardLinkBlob(blob, pointer)
	}
	rel, err := filepath.Rel(filepath.Dir(pointer), blob)
	if err != nil {
		return fmt.Errorf("link %s to %s: %w", pointer, blob, err)
	}
	if cur, err := os.Readlink(pointer); err == nil && cur == rel {
		return nil
	}
	tmp := pointer + ".tmp-link"
	os.Remove(tmp)
	if err := os.Symlink(rel, tmp); err != nil {
		return fmt.Errorf("link %s: %w", pointer, err)
	}
	if err := os.Rename(tmp, pointer); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("link %s: %w", pointer, err)
	}
	return nil
}

// hardLinkBlob makes pointer a hard link to blob, or a copy of it.
func hardLinkBlob(blob, pointer string) error {
	if b, err := os.Stat(blob); err == nil {
		if p, err := os.Stat(pointer); err == nil && os.SameFile(b, p) {
			return nil
		}
	}
	tmp := pointer + ".tmp-link"
	os.Remove(tmp)
	if err := os.Link(blob, tmp); err != nil {
		if err := copyFile(blob, tmp); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("link %s: %w", pointer, err)
		}
	}
	if err := os.Rename(tmp, pointer); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("link %s: %w", pointer, err)
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// snapshotFiles lists the files of a snapshot folder, as slash-separated
// paths relative to it, and those whose blob is missing.
func snapshotFiles(snap string) (files, broken []string, err error) {
	err = filepath.WalkDir(snap, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(snap, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if strings.HasSuffix(rel, ".tmp-link") {
			return nil
		}
		if _, err := os.Stat(path); err != nil {
			broken = append(broken, rel)
			return nil
		}
		files = append(files, rel)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list snapshot %s: %w", snap, err)
	}
	return files, broken, nil
}

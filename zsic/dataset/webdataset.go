package dataset

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/zsic/zsic/internal/wds"
	"github.com/zsic/zsic/zsic/prompt"
)

// The files of CLIP_benchmark's WebDataset layout.
const (
	WDSClassNames = wds.ClassNames
	WDSTemplates  = wds.Templates
	WDSNShards    = wds.NShards
)

// wdsImageExts are the image suffixes of a sample, in the order
// CLIP_benchmark's to_tuple("webp;png;jpg;jpeg", "cls") prefers them.
var wdsImageExts = []string{"webp", "png", "jpg", "jpeg"}

// maxMember bounds the bytes of one tar member zsic will read.
const maxMember = 512 << 20

// wdsMeta matches member names that webdataset skips as metadata.
var wdsMeta = regexp.MustCompile(`^__[^/]*__($|/)`)

// WebDatasetProblem is a sample of a WebDataset shard that cannot be used,
// or the point where a shard is cut short, named by shard and key: the Err
// of that row's Sample.
type WebDatasetProblem struct {
	Shard string // the shard file
	Key   string // the sample's key, or the last good member's name
	Err   string
}

func (p *WebDatasetProblem) Error() string {
	return fmt.Sprintf("shard %s, key %s: %s", p.Shard, p.Key, p.Err)
}

// WebDataset is a split of a dataset in CLIP_benchmark's WebDataset layout:
// DIR/<split>/nshards.txt holding N, the shards DIR/<split>/0.tar …
// (N-1).tar, and optionally DIR/classnames.txt (one name a line, by label)
// and DIR/zeroshot_classification_templates.txt. Each sample is a run of
// tar members sharing a key, as webdataset groups them: the member name up
// to the first dot of its base name; the rest, lowercased, is the suffix.
// A sample has an image (.webp, .png, .jpg or .jpeg, taken in that order of
// preference) and a .cls member holding its label as an ASCII integer.
//
// Opening indexes every shard's member headers (skipping over the data),
// so Len is known and rows can be chosen as in any Source; Read then opens
// one shard at a time and reads only the chosen samples' images.
//
// A sample that cannot be used is still a row, whose Sample.Err (a
// *WebDatasetProblem) names shard and key: one without an image or a .cls
// member, with a .cls that is not an integer or not a class id of
// classnames.txt, or with a repeated member. A shard cut short or corrupt
// gives one such row where the damage starts; the samples after it in that
// shard are lost. The caller counts these rows as failures or stops.
type WebDataset struct {
	dir, split string
	shards     []string
	sizes      []int64
	samples    []wdsSample
	classes    []string
	templates  *prompt.Templates
	problems   int
}

// wdsSample is one indexed sample.
type wdsSample struct {
	shard  int
	key    string
	member string // the image member's name
	offset int64  // of the image bytes in the shard
	size   int64
	label  int
	err    *WebDatasetProblem // the sample cannot be used
}

// IsWebDataset reports whether dir looks like CLIP_benchmark's layout: a
// folder with an immediate subfolder holding nshards.txt.
func IsWebDataset(dir string) bool {
	matches, _ := filepath.Glob(filepath.Join(dir, "*", WDSNShards))
	return len(matches) > 0
}

// OpenWebDataset indexes split of the WebDataset at dir (see WebDataset).
// A shard listed by nshards.txt that cannot be opened is an error.
func OpenWebDataset(dir, split string) (*WebDataset, error) {
	if split == "" || strings.ContainsAny(split, `/\`) || split == "." || split == ".." {
		return nil, fmt.Errorf("open webdataset %s: split %q is not a folder name", dir, split)
	}
	w := &WebDataset{dir: dir, split: split}
	splitDir := filepath.Join(dir, split)
	n, err := wds.ReadNShards(filepath.Join(splitDir, WDSNShards))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			have, _ := filepath.Glob(filepath.Join(dir, "*", WDSNShards))
			var splits []string
			for _, h := range have {
				splits = append(splits, filepath.Base(filepath.Dir(h)))
			}
			return nil, fmt.Errorf("open webdataset %s: no split %q (%s is missing; splits here: %s)", dir, split, filepath.Join(splitDir, WDSNShards), orNone(splits))
		}
		return nil, fmt.Errorf("open webdataset %s: %w", dir, err)
	}
	for i := 0; i < n; i++ {
		w.shards = append(w.shards, filepath.Join(splitDir, wds.ShardName(i)))
	}
	if data, err := os.ReadFile(filepath.Join(dir, WDSClassNames)); err == nil {
		if w.classes, err = prompt.ParseNames(data); err != nil {
			return nil, fmt.Errorf("open webdataset %s: %s: %w", dir, WDSClassNames, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("open webdataset %s: %w", dir, err)
	}
	tpath := filepath.Join(dir, WDSTemplates)
	if data, err := os.ReadFile(tpath); err == nil {
		if w.templates, err = prompt.ParseTemplates(data, tpath, ""); err != nil {
			return nil, fmt.Errorf("open webdataset %s: %w", dir, err)
		}
		w.templates.Source = tpath
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("open webdataset %s: %w", dir, err)
	}
	for i, sh := range w.shards {
		size, err := w.index(i, sh)
		if err != nil {
			return nil, fmt.Errorf("open webdataset %s: %w", dir, err)
		}
		w.sizes = append(w.sizes, size)
	}
	if len(w.samples) == 0 {
		return nil, fmt.Errorf("open webdataset %s: split %s has no samples in %d shards", dir, split, n)
	}
	return w, nil
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}

// wdsGroup is the sample being grouped while indexing a shard.
type wdsGroup struct {
	key      string
	members  map[string]*tar.Header
	offsets  map[string]int64
	cls      string
	clsErr   string
	dup      string
	lastName string
}

// index reads the member headers of shard i and appends its samples (or
// problems). It returns the shard's size. Only an unreadable file is an
// error; damage inside the tar is a problem.
func (w *WebDataset) index(i int, shard string) (int64, error) {
	f, err := os.Open(shard)
	if err != nil {
		return 0, fmt.Errorf("shard %d of %d: %w", i, len(w.shards), err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	size := st.Size()
	name := w.shardName(i)
	tr := tar.NewReader(f)
	var g *wdsGroup
	last := "(start of file)"
	flush := func() {
		if g != nil {
			w.addSample(i, name, g)
			g = nil
		}
	}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			// Samples before the damage are kept; the one being grouped
			// may have lost members, so it goes too.
			w.problem(i, WebDatasetProblem{Shard: name, Key: last, Err: fmt.Sprintf("corrupt or truncated tar after this member: %v", err)})
			return size, nil
		}
		off, err := f.Seek(0, io.SeekCurrent)
		if err != nil {
			return 0, fmt.Errorf("shard %s: %w", name, err)
		}
		if hdr.Typeflag != tar.TypeReg { // the reader reports old-style files (TypeRegA) as TypeReg
			continue
		}
		if off+hdr.Size > size {
			k, _ := wdsSplit(hdr.Name)
			if g != nil && g.key != k {
				flush() // complete: the damage is in the next sample
			}
			w.problem(i, WebDatasetProblem{Shard: name, Key: k, Err: fmt.Sprintf("truncated: member %s needs %d bytes at offset %d, the file ends at %d", hdr.Name, hdr.Size, off, size)})
			return size, nil
		}
		last = hdr.Name
		if wdsMeta.MatchString(hdr.Name) {
			continue
		}
		key, suffix := wdsSplit(hdr.Name)
		if key == "" {
			continue
		}
		if g == nil || g.key != key {
			flush()
			g = &wdsGroup{key: key, members: map[string]*tar.Header{}, offsets: map[string]int64{}}
		}
		if _, ok := g.members[suffix]; ok && g.dup == "" {
			g.dup = hdr.Name
		}
		g.members[suffix] = hdr
		g.offsets[suffix] = off
		if suffix == "cls" {
			if hdr.Size > 64 {
				g.clsErr = fmt.Sprintf(".cls member of %d bytes is not a label", hdr.Size)
				continue
			}
			data, err := io.ReadAll(tr)
			if err != nil {
				w.problem(i, WebDatasetProblem{Shard: name, Key: key, Err: fmt.Sprintf("reading %s: %v", hdr.Name, err)})
				return size, nil
			}
			g.cls = string(data)
		}
	}
	flush()
	return size, nil
}

// addSample records the grouped sample g of shard i, or its problem.
func (w *WebDataset) addSample(i int, shard string, g *wdsGroup) {
	problem := func(msg string) {
		w.problem(i, WebDatasetProblem{Shard: shard, Key: g.key, Err: msg})
	}
	if g.dup != "" {
		problem(fmt.Sprintf("member %s repeats a suffix of the sample", g.dup))
		return
	}
	var img *tar.Header
	var ext string
	for _, e := range wdsImageExts {
		if h, ok := g.members[e]; ok {
			img, ext = h, e
			break
		}
	}
	if img == nil {
		problem("no image member (.webp, .png, .jpg or .jpeg)")
		return
	}
	if img.Size > maxMember {
		problem(fmt.Sprintf("image %s is %d bytes, more than zsic reads (%d)", img.Name, img.Size, maxMember))
		return
	}
	if _, ok := g.members["cls"]; !ok {
		problem("no .cls member (the label)")
		return
	}
	if g.clsErr != "" {
		problem(g.clsErr)
		return
	}
	text := strings.TrimSpace(g.cls)
	label, err := strconv.Atoi(text)
	if err != nil || strings.HasPrefix(text, "+") {
		problem(fmt.Sprintf(".cls holds %q, want a label id (an ASCII integer)", text))
		return
	}
	if label < 0 || (w.classes != nil && label >= len(w.classes)) {
		problem(fmt.Sprintf("label %d is not a class id (%s has %d names)", label, WDSClassNames, len(w.classes)))
		return
	}
	w.samples = append(w.samples, wdsSample{shard: i, key: g.key, member: img.Name, offset: g.offsets[ext], size: img.Size, label: label})
}

// problem records a row of shard i that cannot be used.
func (w *WebDataset) problem(i int, p WebDatasetProblem) {
	w.samples = append(w.samples, wdsSample{shard: i, key: p.Key, label: -1, err: &p})
	w.problems++
}

// wdsSplit splits a member name as webdataset's base_plus_ext does: the key
// is the folder and the base name up to its first dot, the suffix the rest,
// lowercased. A name without a dot in its base has no key.
func wdsSplit(name string) (key, suffix string) {
	dir, base := path.Split(name)
	k, s, ok := strings.Cut(base, ".")
	if !ok || k == "" {
		return "", ""
	}
	return dir + k, strings.ToLower(s)
}

// shardName is shard i as messages name it: <split>/<i>.tar.
func (w *WebDataset) shardName(i int) string {
	return path.Join(w.split, strconv.Itoa(i)+".tar")
}

// Classes returns the names of classnames.txt, or nil without one.
func (w *WebDataset) Classes() []string { return w.classes }

// Templates returns the templates of zeroshot_classification_templates.txt,
// or nil without one.
func (w *WebDataset) Templates() *prompt.Templates { return w.templates }

// Problems counts the rows that cannot be used (see WebDataset).
func (w *WebDataset) Problems() int { return w.problems }

// Shards returns the shard files, in order.
func (w *WebDataset) Shards() []string { return w.shards }

// Len returns the number of rows: samples, and problems.
func (w *WebDataset) Len() int { return len(w.samples) }

// Close does nothing: shards are open only while Read reads them.
func (w *WebDataset) Close() error { return nil }

// Read calls fn for each of rows (see Source), opening one shard at a time.
// A sample's Path is "<split>/<shard>.tar:<member>"; a problem row has
// Path "<split>/<shard>.tar:<key>" and Err set.
func (w *WebDataset) Read(rows []int, fn func(Sample) error) error {
	if err := checkRows(rows, len(w.samples)); err != nil {
		return fmt.Errorf("read webdataset %s: %w", w.dir, err)
	}
	var f *os.File
	cur := -1
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	for _, r := range rows {
		s := w.samples[r]
		name := w.shardName(s.shard)
		if s.err != nil {
			if err := fn(Sample{Row: r, Path: name + ":" + s.key, Label: -1, Err: s.err}); err != nil {
				return err
			}
			continue
		}
		if s.shard != cur {
			if f != nil {
				f.Close()
			}
			var err error
			if f, err = os.Open(w.shards[s.shard]); err != nil {
				return fmt.Errorf("read webdataset %s: %w", w.dir, err)
			}
			cur = s.shard
			st, err := f.Stat()
			if err != nil {
				return fmt.Errorf("read webdataset %s: %w", w.dir, err)
			}
			if st.Size() != w.sizes[s.shard] {
				return fmt.Errorf("read webdataset %s: shard %s changed since it was indexed (%d bytes, now %d)", w.dir, name, w.sizes[s.shard], st.Size())
			}
		}
		img := make([]byte, s.size)
		if _, err := f.ReadAt(img, s.offset); err != nil {
			return fmt.Errorf("read webdataset %s: shard %s, key %s: %w", w.dir, name, s.key, err)
		}
		if err := fn(Sample{Row: r, Image: img, Path: name + ":" + s.member, Label: s.label}); err != nil {
			return err
		}
	}
	return nil
}

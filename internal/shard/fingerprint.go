package shard

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/report"
)

// Fingerprint identifies what a run computes: two runs with equal
// fingerprints score the same images the same way, so their parts may be
// merged and one may resume the other. It holds no paths, which differ from
// machine to machine, only contents and parameters.
//
// This is the one place the run's identity is defined; the report's
// provenance can fold it in.
type Fingerprint struct {
	Model     ModelID     `json:"model"`
	Dataset   DatasetID   `json:"dataset"`
	Selection Selection   `json:"selection"`
	Prompts   Prompts     `json:"prompts"`
	Device    string      `json:"device"`
	Versions  VersionInfo `json:"versions"`
}

// ModelID identifies a model by its files' contents.
type ModelID struct {
	Type string `json:"type"`
	// Towers maps each role to its ONNX file (and external data, if any).
	Towers map[string]FileID `json:"towers"`
	// Files maps the other files zsic reads from the model folder (configs,
	// tokenizer) to their SHA-256.
	Files map[string]string `json:"files,omitempty"`
}

// FileID is a file's size and SHA-256.
type FileID struct {
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// Data is the tower's external data file, if it has one.
	Data *FileID `json:"data,omitempty"`
}

// DatasetID identifies a dataset by its files and rows.
type DatasetID struct {
	// Files is the number of files read, Bytes their total size, and
	// ListSHA256 the SHA-256 of their paths (relative to the dataset) and
	// sizes, one "path size" line each, sorted.
	Files      int    `json:"files"`
	Bytes      int64  `json:"bytes"`
	ListSHA256 string `json:"list_sha256"`
	// Hub is a Hub dataset's id and revision ("org/name@main"); the files
	// are then not listed.
	Hub string `json:"hub,omitempty"`
	// Rows is the number of rows in the dataset.
	Rows int `json:"rows"`
	// Split is the split evaluated.
	Split string `json:"split"`
	// Columns maps input_column and label_column to the columns read.
	Columns map[string]string `json:"columns"`
}

// Selection is how the evaluated rows were chosen, and which they are.
type Selection struct {
	Samples int   `json:"samples"`
	Shuffle bool  `json:"shuffle"`
	Seed    int64 `json:"seed"`
	// ManifestSHA256 is the SHA-256 of the manifest file, if one chose the
	// rows.
	ManifestSHA256 string `json:"manifest_sha256,omitempty"`
	// Rows is the number of rows selected (before any split into parts)
	// and RowsSHA256 the SHA-256 of their indices (see RowsDigest).
	Rows       int    `json:"rows"`
	RowsSHA256 string `json:"rows_sha256"`
}

// Prompts are what the labels are scored with: every prompt embedded,
// class by class (templates filled in, or class-specific prompts), or the
// saved head used instead; and the class names. They are identified as the
// report's provenance identifies lists of strings; the prompts, which may
// number thousands, without their values.
type Prompts struct {
	Prompts report.Strings `json:"prompts"`
	// HeadSHA256 is the SHA-256 of the saved head (.npy) used instead of
	// prompts, if any.
	HeadSHA256 string         `json:"head_sha256,omitempty"`
	Classes    report.Strings `json:"classes"`
}

// VersionInfo holds the versions of zsic (as the report's provenance
// records the build) and ONNX Runtime.
type VersionInfo struct {
	Zsic report.Build `json:"zsic"`
	ORT  string       `json:"onnxruntime"`
}

// Digest returns the SHA-256 of the fingerprint's JSON form.
func (f *Fingerprint) Digest() string {
	data, err := json.Marshal(f)
	if err != nil {
		panic(err) // only strings, numbers, maps and slices: cannot fail
	}
	return sha256Hex(data)
}

// Diff lists the fields in which f and g differ, as "path: f's ≠ g's", in
// the order of the fingerprint's fields; nil when they are equal.
func Diff(f, g *Fingerprint) []string {
	ka, a := flatten(f)
	kb, b := flatten(g)
	keys := ka
	for _, k := range kb {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	var out []string
	for _, k := range keys {
		va, oka := a[k]
		vb, okb := b[k]
		switch {
		case !oka:
			va = "(none)"
		case !okb:
			vb = "(none)"
		}
		if va != vb {
			out = append(out, fmt.Sprintf("%s: %s ≠ %s", k, va, vb))
		}
	}
	return out
}

// flatten returns the leaves of f's JSON form, keyed by their dotted paths,
// and the paths in the order they appear.
func flatten(f *Fingerprint) ([]string, map[string]string) {
	data, _ := json.Marshal(f)
	dec := json.NewDecoder(bytes.NewReader(data))
	var keys []string
	out := map[string]string{}
	leaf := func(path string, v string) {
		keys = append(keys, path)
		out[path] = v
	}
	var value func(path string) error
	value = func(path string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				if err := value(join(path, k.(string))); err != nil {
					return err
				}
			}
			_, err = dec.Token() // }
			return err
		case json.Delim('['):
			i := 0
			for ; dec.More(); i++ {
				if err := value(fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
			if i == 0 {
				leaf(path, "[]")
			}
			_, err = dec.Token() // ]
			return err
		}
		v, _ := json.Marshal(tok)
		leaf(path, string(v))
		return nil
	}
	_ = value("") // data is valid JSON
	return keys, out
}

func join(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

// HashFile returns the size and SHA-256 of the file at path, as the
// report's provenance computes them.
func HashFile(path string) (FileID, error) {
	f, err := report.HashFile(path)
	if err != nil {
		return FileID{}, fmt.Errorf("fingerprint: %w", err)
	}
	return FileID{SHA256: f.SHA256, Size: f.Size}, nil
}

// HashTower returns the identity of an ONNX file and of its external data
// file (path + "_data" or path + ".data"), if one exists.
func HashTower(path string) (FileID, error) {
	id, err := HashFile(path)
	if err != nil {
		return id, err
	}
	for _, ext := range zsic.ExternalDataSuffixes {
		if _, err := os.Stat(path + ext); err == nil {
			d, err := HashFile(path + ext)
			if err != nil {
				return id, err
			}
			id.Data = &d
			break
		}
	}
	return id, nil
}

// ListFiles describes the files of a dataset: the file at root, or every
// regular file under the folder root, as paths relative to root with their
// sizes. It fills Files, Bytes and ListSHA256.
func ListFiles(root string) (DatasetID, error) {
	var id DatasetID
	var lines []string
	st, err := os.Stat(root)
	if err != nil {
		return id, fmt.Errorf("fingerprint dataset: %w", err)
	}
	if !st.IsDir() {
		lines = append(lines, fmt.Sprintf("%s %d", "", st.Size()))
		id.Bytes = st.Size()
	} else {
		fsys := os.DirFS(root)
		err := walkFiles(fsys, func(path string, size int64) {
			lines = append(lines, fmt.Sprintf("%s %d", path, size))
			id.Bytes += size
		})
		if err != nil {
			return id, fmt.Errorf("fingerprint dataset %s: %w", root, err)
		}
	}
	slices.Sort(lines)
	id.Files = len(lines)
	id.ListSHA256 = sha256Hex([]byte(strings.Join(lines, "\n")))
	return id, nil
}

// RowsDigest returns the SHA-256 of rows, written as decimal numbers one a
// line.
func RowsDigest(rows []int) string {
	h := sha256.New()
	for _, r := range rows {
		fmt.Fprintf(h, "%d\n", r)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func sha256Hex(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

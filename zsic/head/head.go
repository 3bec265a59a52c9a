// Package head stores a zero-shot classification head: the unit class
// embeddings a text tower made from class names and prompts, as a NumPy
// .npy file (float32, [classes, dim]) with a JSON sidecar that says what
// made it (class names, templates, the towers' SHA-256, the normalization).
// A head deploys next to its image encoder, with no text tower; loading
// checks that the towers at hand are the ones it was made with.
package head

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Format is Meta.Format: what the sidecar is.
const Format = "zsic-zero-shot-head"

// Version is the sidecar's current version.
const Version = 1

// Tower identifies one ONNX tower file.
type Tower struct {
	// File is the file's path as given when the head was made.
	File string `json:"file"`
	// SHA256 is the hex SHA-256 of the file's bytes.
	SHA256 string `json:"sha256"`
}

// Scoring is how the model turns cosine similarities into scores:
// logits = Scale·cos + Bias, then Kind ("softmax", "sigmoid" or "cosine").
type Scoring struct {
	Kind  string  `json:"kind"`
	Scale float64 `json:"scale"`
	Bias  float64 `json:"bias"`
}

// Meta is the sidecar JSON of a head.
type Meta struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	// Classes are the class names by label id, as put into the prompts.
	Classes []string `json:"classes"`
	// Templates are the templates filled with each class name; empty when
	// class-specific prompts were used.
	Templates []string `json:"templates,omitempty"`
	// ClassPrompts, when templates were not used, are each class's prompts.
	ClassPrompts [][]string `json:"class_prompts,omitempty"`
	// Dim is the embedding size.
	Dim int `json:"dim"`
	// Towers are the model's towers by role ("image-encoder",
	// "text-encoder").
	Towers map[string]Tower `json:"towers"`
	// Normalization says how each class's prompt embeddings became its row.
	Normalization string `json:"normalization"`
	// ModelType is the model's type (clip, siglip, siglip2).
	ModelType string `json:"model_type,omitempty"`
	// Scoring is the model's scoring of cosine similarities.
	Scoring *Scoring `json:"scoring,omitempty"`
}

// Head is a zero-shot head: one unit embedding per class, and its sidecar.
type Head struct {
	Embeds [][]float32
	Meta   Meta
}

// SidecarPath returns the sidecar of the .npy file at path: the same name
// with .json for .npy.
func SidecarPath(path string) string {
	return strings.TrimSuffix(path, filepath.Ext(path)) + ".json"
}

// check reports a head whose parts disagree.
func (h *Head) check() error {
	m := &h.Meta
	if m.Format != Format {
		return fmt.Errorf("sidecar format %q, want %q", m.Format, Format)
	}
	if m.Version != Version {
		return fmt.Errorf("sidecar version %d, this zsic reads version %d", m.Version, Version)
	}
	if len(m.Classes) == 0 {
		return errors.New("no class names")
	}
	if len(h.Embeds) != len(m.Classes) {
		return fmt.Errorf("%d class embeddings for %d class names", len(h.Embeds), len(m.Classes))
	}
	for i, e := range h.Embeds {
		if len(e) != m.Dim || m.Dim == 0 {
			return fmt.Errorf("class %d has %d values, the sidecar says dim %d", i, len(e), m.Dim)
		}
	}
	if m.ClassPrompts != nil && len(m.ClassPrompts) != len(m.Classes) {
		return fmt.Errorf("%d class prompt lists for %d classes", len(m.ClassPrompts), len(m.Classes))
	}
	if _, ok := m.Towers[imageEncoder]; !ok {
		return errors.New("no image-encoder tower recorded")
	}
	for role, t := range m.Towers {
		if len(t.SHA256) != 64 || strings.Trim(t.SHA256, "0123456789abcdef") != "" {
			return fmt.Errorf("tower %s: sha256 %q is not 64 lowercase hex digits", role, t.SHA256)
		}
	}
	return nil
}

// imageEncoder is the role of the tower a head is used with.
const imageEncoder = "image-encoder"

// Save writes the head to path (which must end in .npy) and its sidecar
// beside it (see SidecarPath), each replaced only when complete.
func (h *Head) Save(path string) error {
	if !strings.EqualFold(filepath.Ext(path), ".npy") {
		return fmt.Errorf("save head %s: the file name must end in .npy", path)
	}
	h.Meta.Format, h.Meta.Version = Format, Version
	if len(h.Embeds) > 0 {
		h.Meta.Dim = len(h.Embeds[0])
	}
	if err := h.check(); err != nil {
		return fmt.Errorf("save head %s: %w", path, err)
	}
	var npy bytes.Buffer
	if err := WriteNPY(&npy, h.Embeds, h.Meta.Dim); err != nil {
		return fmt.Errorf("save head %s: %w", path, err)
	}
	side, err := json.MarshalIndent(h.Meta, "", "  ")
	if err != nil {
		return fmt.Errorf("save head %s: %w", path, err)
	}
	if err := writeFile(path, npy.Bytes()); err != nil {
		return err
	}
	return writeFile(SidecarPath(path), append(side, '\n'))
}

// writeFile writes data to path through a temporary file in its folder.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("save head: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("save head %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save head %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save head %s: %w", path, err)
	}
	return nil
}

// Load reads a head saved by Save: the .npy at path and its sidecar.
func Load(path string) (*Head, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load head: %w", err)
	}
	embeds, err := ReadNPY(data)
	if err != nil {
		return nil, fmt.Errorf("load head %s: %w", path, err)
	}
	side := SidecarPath(path)
	sdata, err := os.ReadFile(side)
	if err != nil {
		return nil, fmt.Errorf("load head %s: its sidecar: %w", path, err)
	}
	h := &Head{Embeds: embeds}
	dec := json.NewDecoder(bytes.NewReader(sdata))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h.Meta); err != nil {
		return nil, fmt.Errorf("load head %s: sidecar %s: %w", path, side, err)
	}
	if err := h.check(); err != nil {
		return nil, fmt.Errorf("load head %s (sidecar %s): %w", path, side, err)
	}
	return h, nil
}

// TowerMismatchError reports a head used with towers it was not made with.
type TowerMismatchError struct {
	Role     string // the tower's role
	File     string // the tower at hand
	SHA256   string // its SHA-256
	Head     Tower  // what the head records for the role
	HeadPath string // the head, if known
}

func (e *TowerMismatchError) Error() string {
	return fmt.Sprintf("head %s was made for another %s: it records %s (sha256 %.12s…), but %s has sha256 %.12s…",
		e.HeadPath, e.Role, e.Head.File, e.Head.SHA256, e.File, e.SHA256)
}

// TowerSHA256 returns the tower records of files (role → path), hashing
// each file.
func TowerSHA256(files map[string]string) (map[string]Tower, error) {
	out := make(map[string]Tower, len(files))
	for role, p := range files {
		sum, err := FileSHA256(p)
		if err != nil {
			return nil, fmt.Errorf("tower %s: %w", role, err)
		}
		out[role] = Tower{File: p, SHA256: sum}
	}
	return out, nil
}

// FileSHA256 returns the hex SHA-256 of a file's bytes.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Check verifies that the towers at hand (role → path) are those the head
// was made with: the image encoder must be given and match, and any other
// tower given that the head records must match too. The error is a
// *TowerMismatchError for a tower that differs.
func (h *Head) Check(towers map[string]string, headPath string) error {
	if _, ok := towers[imageEncoder]; !ok {
		return fmt.Errorf("head %s: no image encoder to check it against", headPath)
	}
	roles := make([]string, 0, len(towers))
	for r := range towers {
		roles = append(roles, r)
	}
	slices.Sort(roles)
	for _, role := range roles {
		want, ok := h.Meta.Towers[role]
		if !ok {
			continue
		}
		sum, err := FileSHA256(towers[role])
		if err != nil {
			return fmt.Errorf("head %s: check %s: %w", headPath, role, err)
		}
		if sum != want.SHA256 {
			return &TowerMismatchError{Role: role, File: towers[role], SHA256: sum, Head: want, HeadPath: headPath}
		}
	}
	return nil
}

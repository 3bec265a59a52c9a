package dataset

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/zsic/zsic/internal/testenv"
)

// pinnedSample is the checked-in manifest made by fixtures/cmd/mksample.
func pinnedSample(t *testing.T) string {
	return filepath.Join(testenv.Root(t), "fixtures", "samples", "cifar100-test-1000.json")
}

func TestPinnedSampleResolves(t *testing.T) {
	m, err := LoadManifest(pinnedSample(t))
	require.NoError(t, err)
	require.Equal(t, "uoft-cs/cifar100", m.Dataset)
	require.Equal(t, "test", m.Split)
	require.Len(t, m.Rows, 1000)

	src, err := Open(testenv.CIFAR100(t), DefaultColumns())
	require.NoError(t, err)
	defer src.Close()
	require.Equal(t, src.Classes(), m.Classes)
	rows, err := m.Resolve(src)
	require.NoError(t, err)
	want, err := Select(src.Len(), 1000, true, m.Seed)
	require.NoError(t, err)
	require.Equal(t, want, rows, "the manifest is the seeded draw")

	// The same images in another order, re-encoded: a shard holding the
	// manifest's first rows, reversed, as plain PNGs of another encoder.
	var recs []hfRow
	require.NoError(t, src.Read(rows[:20], func(s Sample) error {
		w, h, pix, err := RGBPixels(s.Image)
		require.NoError(t, err)
		label := int64(s.Label)
		recs = append([]hfRow{{Img: &hfImage{Bytes: encodePNG(t, w, h, pix)}, FineLabel: &label}}, recs...)
		return nil
	}))
	require.NotEqual(t, readAll(t, src, rows[:1])[0].Image, recs[19].Img.Bytes, "re-encoded")
	copyPath := filepath.Join(t.TempDir(), "copy.parquet")
	writeRows(t, copyPath, recs)
	cp, err := Open(copyPath, DefaultColumns())
	require.NoError(t, err)
	defer cp.Close()
	sub := &Manifest{Dataset: m.Dataset, Split: m.Split, Rows: m.Rows[:20]}
	got, err := sub.Resolve(cp)
	require.NoError(t, err)
	require.Equal(t, allRows(20), got)
}

// TestResolveDuplicates uses the two rows of the CIFAR-100 test split that
// have the same pixels but different labels (401: 72, 3756: 55).
func TestResolveDuplicates(t *testing.T) {
	src, err := Open(testenv.CIFAR100(t), DefaultColumns())
	require.NoError(t, err)
	defer src.Close()
	// A small copy of the rows around the duplicates, so that each Resolve
	// hashes 5 images rather than 9,999: 401 is row 1, 3756 is row 3.
	var recs []hfRow
	require.NoError(t, src.Read([]int{400, 401, 402, 3756, 3757}, func(s Sample) error {
		label := int64(s.Label)
		recs = append(recs, hfRow{Img: &hfImage{Bytes: s.Image}, FineLabel: &label})
		return nil
	}))
	path := filepath.Join(t.TempDir(), "dups.parquet")
	writeRows(t, path, recs)
	small, err := Open(path, DefaultColumns())
	require.NoError(t, err)
	defer small.Close()

	pinned, err := NewManifest(src, []int{401, 3756}, "uoft-cs/cifar100", "test", 0)
	require.NoError(t, err)
	require.Equal(t, pinned.Rows[0].SHA256, pinned.Rows[1].SHA256, "same pixels")
	require.Equal(t, []int{72, 55}, []int{pinned.Rows[0].Label, pinned.Rows[1].Label})

	tests := []struct {
		name string
		rows []ManifestRow
		want []int
		err  string
	}{
		{"both", pinned.Rows, []int{1, 3}, ""},
		{"reversed", []ManifestRow{pinned.Rows[1], pinned.Rows[0]}, []int{1, 3}, ""},
		{"second by label", pinned.Rows[1:], []int{3}, ""},
		{"one row asked twice", []ManifestRow{pinned.Rows[0], pinned.Rows[0]}, nil,
			"1 of 2 manifest rows have another label in the dataset: rows[1] (sha256 " + pinned.Rows[0].SHA256[:12] + ", label 72) is row 3 with label 55"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Manifest{Dataset: "uoft-cs/cifar100", Split: "test", Rows: tt.rows}
			got, err := m.Resolve(small)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestResolveErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ds.parquet")
	writeHF(t, path, 0, 10, 4, hfMeta(t, testClasses))
	src, err := Open(path, DefaultColumns())
	require.NoError(t, err)
	defer src.Close()
	m, err := NewManifest(src, []int{2, 5, 7}, "test/ds", "train", 1)
	require.NoError(t, err)
	require.Equal(t, testClasses, m.Classes)

	absent := func(i int) ManifestRow {
		return ManifestRow{SHA256: strings.Repeat(fmt.Sprint(i), 64), Label: 0}
	}
	var many []ManifestRow
	for i := 1; i <= 7; i++ {
		many = append(many, absent(i))
	}
	relabelled := m.Rows[1]
	relabelled.Label = (relabelled.Label + 1) % 3
	bad := filepath.Join(dir, "bad.parquet")
	writeRows(t, bad, []hfRow{{Img: &hfImage{Bytes: []byte("not an image")}}})
	badSrc, err := Open(bad, DefaultColumns())
	require.NoError(t, err)
	defer badSrc.Close()

	tests := []struct {
		name string
		m    *Manifest
		src  Source
		want string
	}{
		{"missing", &Manifest{Dataset: "test/ds", Split: "train", Rows: append(slicesClone(m.Rows), absent(1))}, src,
			"resolve manifest of test/ds train: 1 of 4 manifest rows are not in the dataset: rows[3] (sha256 111111111111, label 0)"},
		{"many missing", &Manifest{Rows: many}, src,
			"7 of 7 manifest rows are not in the dataset: rows[0] (sha256 111111111111, label 0); rows[1] (sha256 222222222222, label 0); rows[2] (sha256 333333333333, label 0); rows[3] (sha256 444444444444, label 0); rows[4] (sha256 555555555555, label 0); and 2 more"},
		{"label differs", &Manifest{Rows: []ManifestRow{m.Rows[0], relabelled}}, src,
			fmt.Sprintf("1 of 2 manifest rows have another label in the dataset: rows[1] (sha256 %s, label %d) is row 5 with label %d", relabelled.SHA256[:12], relabelled.Label, testLabel(5))},
		{"classes differ", &Manifest{Classes: []string{"a", "b", "c"}, Rows: m.Rows}, src,
			"resolve manifest: its class names differ from the dataset's"},
		{"undecodable image", &Manifest{Rows: m.Rows}, badSrc, "resolve manifest: row 0: decode image (12 bytes): unknown format"},
		{"empty", &Manifest{}, src, "resolve manifest: no rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.m.Resolve(tt.src)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func slicesClone(rows []ManifestRow) []ManifestRow { return append([]ManifestRow(nil), rows...) }

func TestManifestRoundTrip(t *testing.T) {
	m := &Manifest{Dataset: "d", Split: "s", Seed: -3, Classes: []string{"x", "y"},
		Rows: []ManifestRow{{SHA256: strings.Repeat("ab", 32), Label: 1}, {SHA256: strings.Repeat("0", 64), Label: 0}}}
	var b bytes.Buffer
	require.NoError(t, m.Encode(&b))
	require.Contains(t, b.String(), "\n    {\"sha256\":\""+strings.Repeat("ab", 32)+"\",\"label\":1},\n")
	path := writeFile(t, t.TempDir(), "m.json", b.Bytes())
	got, err := LoadManifest(path)
	require.NoError(t, err)
	require.Equal(t, m, got)
}

func TestLoadManifestErrors(t *testing.T) {
	dir := t.TempDir()
	hash := strings.Repeat("a", 64)
	tests := []struct {
		name, text, want string
	}{
		{"not json", "{", "unexpected end of JSON input"},
		{"no rows", `{"dataset":"d","rows":[]}`, "no rows"},
		{"short hash", `{"rows":[{"sha256":"abc","label":1}]}`, `rows[0]: sha256 "abc" is not 64 lowercase hex digits`},
		{"upper hash", `{"rows":[{"sha256":"` + strings.ToUpper(hash) + `","label":1}]}`, "is not 64 lowercase hex digits"},
		{"negative label", `{"rows":[{"sha256":"` + hash + `","label":-1}]}`, "rows[0]: label -1 is not a class id (0 classes)"},
		{"label past classes", `{"classes":["a"],"rows":[{"sha256":"` + hash + `","label":1}]}`, "rows[0]: label 1 is not a class id (1 classes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, dir, tt.name+".json", []byte(tt.text))
			_, err := LoadManifest(path)
			require.ErrorContains(t, err, "load manifest "+path+": ")
			require.ErrorContains(t, err, tt.want)
		})
	}
	_, err := LoadManifest(filepath.Join(dir, "absent.json"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

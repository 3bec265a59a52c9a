// Package wdstest writes WebDataset shards in CLIP_benchmark's layout for
// tests: from rows of the CIFAR-100 test parquet (Build), or from members
// given byte for byte (WriteShard), to make damaged shards.
package wdstest

import (
	"archive/tar"
	"embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/zsic/dataset"
)

// webps are lossless WebP copies of rows 1, 5, 9, … 45 of the CIFAR-100
// test parquet, made by testdata/gen_webp.py with Pillow.
//
//go:embed testdata/*.webp testdata/webp.json
var webps embed.FS

// WebPRows is how many leading rows the WebP copies cover: rows below it
// with row%4 == 1 have one.
const WebPRows = 48

// Member is one tar member.
type Member struct {
	Name string
	Data []byte
}

// WriteShard writes members, in order, as a tar file at path.
func WriteShard(t testing.TB, path string, members []Member) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	f, err := os.Create(path)
	require.NoError(t, err)
	tw := tar.NewWriter(f)
	for _, m := range members {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: m.Name, Mode: 0o644, Size: int64(len(m.Data)), Typeflag: tar.TypeReg}))
		_, err := tw.Write(m.Data)
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	require.NoError(t, f.Close())
}

// Options says what Build writes.
type Options struct {
	Split    string   // default "test"
	Rows     int      // the first Rows rows of the parquet
	PerShard int      // samples a shard (default 16)
	Classes  []string // classnames.txt, if not nil
	Template []string // zeroshot_classification_templates.txt, if not nil
}

// Sample is what Build wrote for one row.
type Sample struct {
	Row    int    // row of the parquet
	Shard  int    // shard number
	Key    string // sample key
	Format string // "png" or "webp"
	Label  int
}

// Build writes the first opt.Rows rows of the CIFAR-100 parquet at cifar as
// a WebDataset under dir: keys s0000000, s0000001, … in row order, the
// image as the parquet's PNG, or (rows below WebPRows with row%4 == 1) as a
// lossless WebP whose pixels it checks against the PNG's, then the label as
// .cls. It returns what it wrote, by row.
func Build(t testing.TB, dir, cifar string, opt Options) []Sample {
	t.Helper()
	if opt.Split == "" {
		opt.Split = "test"
	}
	if opt.PerShard <= 0 {
		opt.PerShard = 16
	}
	var ref map[string]string
	data, err := webps.ReadFile("testdata/webp.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &ref))

	src, err := dataset.Open(cifar, dataset.DefaultColumns())
	require.NoError(t, err)
	defer src.Close()
	rows, err := dataset.Select(src.Len(), opt.Rows, false, 0)
	require.NoError(t, err)
	var out []Sample
	var shard []Member
	nshards := 0
	flush := func() {
		if len(shard) > 0 {
			WriteShard(t, filepath.Join(dir, opt.Split, strconv.Itoa(nshards)+".tar"), shard)
			shard = nil
			nshards++
		}
	}
	require.NoError(t, src.Read(rows, func(s dataset.Sample) error {
		key := fmt.Sprintf("s%07d", s.Row)
		img, format := s.Image, "png"
		name := fmt.Sprintf("row-%04d.webp", s.Row)
		if s.Row < WebPRows && s.Row%4 == 1 {
			w, err := webps.ReadFile("testdata/" + name)
			require.NoError(t, err)
			want, err := dataset.PixelHash(s.Image)
			require.NoError(t, err)
			got, err := dataset.PixelHash(w)
			require.NoError(t, err)
			require.Equal(t, ref[name], got, "%s decodes to other pixels than gen_webp.py recorded", name)
			require.Equal(t, want, got, "%s is not row %d's picture", name, s.Row)
			img, format = w, "webp"
		}
		shard = append(shard, Member{key + "." + format, img}, Member{key + ".cls", []byte(strconv.Itoa(s.Label))})
		out = append(out, Sample{Row: s.Row, Shard: len(out) / opt.PerShard, Key: key, Format: format, Label: s.Label})
		if len(out)%opt.PerShard == 0 {
			flush()
		}
		return nil
	}))
	flush()
	require.NoError(t, os.WriteFile(filepath.Join(dir, opt.Split, dataset.WDSNShards), []byte(strconv.Itoa(nshards)+"\n"), 0o644))
	if opt.Classes != nil {
		require.NoError(t, os.WriteFile(filepath.Join(dir, dataset.WDSClassNames), []byte(strings.Join(opt.Classes, "\n")+"\n"), 0o644))
	}
	if opt.Template != nil {
		require.NoError(t, os.WriteFile(filepath.Join(dir, dataset.WDSTemplates), []byte(strings.Join(opt.Template, "\n")+"\n"), 0o644))
	}
	return out
}

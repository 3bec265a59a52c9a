package dataset_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
	"github.com/zsic/zsic/zsic/dataset"
	"github.com/zsic/zsic/zsic/dataset/wdstest"
)

func TestWebDatasetMatchesParquet(t *testing.T) {
	cifar := testenv.CIFAR100(t)
	dir := t.TempDir()
	pq, err := dataset.Open(cifar, dataset.DefaultColumns())
	require.NoError(t, err)
	defer pq.Close()
	built := wdstest.Build(t, dir, cifar, wdstest.Options{Rows: 48, PerShard: 20, Classes: pq.Classes(), Template: []string{"a photo of a {c}.", "itap of a {}."}})
	require.Len(t, built, 48)

	w, err := dataset.OpenWebDataset(dir, "test")
	require.NoError(t, err)
	defer w.Close()
	require.Equal(t, 48, w.Len())
	require.Len(t, w.Shards(), 3)
	require.Equal(t, pq.Classes(), w.Classes())
	require.Equal(t, []string{"a photo of a {c}.", "itap of a {}."}, w.Templates().List)
	require.Zero(t, w.Problems())

	rows := []int{0, 1, 5, 19, 20, 21, 39, 40, 45, 47}
	var want []dataset.Sample
	require.NoError(t, pq.Read(rows, func(s dataset.Sample) error { want = append(want, s); return nil }))
	var got []dataset.Sample
	require.NoError(t, w.Read(rows, func(s dataset.Sample) error { got = append(got, s); return nil }))
	require.Len(t, got, len(rows))
	webp := 0
	for k := range rows {
		b := built[rows[k]]
		require.Equal(t, rows[k], got[k].Row)
		require.Equal(t, want[k].Label, got[k].Label)
		require.Equal(t, b.Format == "png", string(want[k].Image) == string(got[k].Image))
		wh, err := dataset.PixelHash(want[k].Image)
		require.NoError(t, err)
		gh, err := dataset.PixelHash(got[k].Image)
		require.NoError(t, err)
		require.Equal(t, wh, gh, "row %d", rows[k])
		require.Equal(t, "test/"+[]string{"0", "1", "2"}[b.Shard]+".tar:"+b.Key+"."+b.Format, got[k].Path)
		if b.Format == "webp" {
			webp++
		}
	}
	require.Equal(t, 4, webp) // rows 1, 5, 21, 45

	// A pinned sample made on the WebDataset finds the same rows in the parquet.
	m, err := dataset.NewManifest(w, rows, "wds", "test", 0)
	require.NoError(t, err)
	back, err := m.Resolve(pq)
	require.NoError(t, err)
	require.Equal(t, rows, back)

	require.True(t, dataset.IsWebDataset(dir))
	require.False(t, dataset.IsWebDataset(filepath.Join(dir, "test")))
	_, err = dataset.OpenWebDataset(dir, "train")
	require.ErrorContains(t, err, `no split "train"`)
	require.ErrorContains(t, err, "splits here: test")
	require.ErrorContains(t, w.Read([]int{48}, func(dataset.Sample) error { return nil }), "out of range")
}

// png is a valid 1x1 image.
var png = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")

func writeWDS(t *testing.T, classes string, shards ...[]wdstest.Member) string {
	dir := t.TempDir()
	for i, members := range shards {
		wdstest.WriteShard(t, filepath.Join(dir, "test", []string{"0", "1", "2"}[i]+".tar"), members)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "test", "nshards.txt"), []byte{byte('0' + len(shards)), '\n'}, 0o644))
	if classes != "" {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "classnames.txt"), []byte(classes), 0o644))
	}
	return dir
}

func readAllWDS(t *testing.T, w *dataset.WebDataset) []dataset.Sample {
	rows, err := dataset.Select(w.Len(), 0, false, 0)
	require.NoError(t, err)
	var out []dataset.Sample
	require.NoError(t, w.Read(rows, func(s dataset.Sample) error { out = append(out, s); return nil }))
	return out
}

func TestWebDatasetGrouping(t *testing.T) {
	other := append([]byte{}, png...)
	dir := writeWDS(t, "a\nb\n", []wdstest.Member{
		{Name: "__meta__/info.txt", Data: []byte("skipped as webdataset skips it")},
		{Name: "sub/x.seg.png", Data: []byte("not the image")}, // suffix "seg.png"
		{Name: "sub/x.PNG", Data: png},                         // suffix lowercased
		{Name: "sub/x.cls", Data: []byte("1\n")},
		{Name: "README", Data: []byte("no dot: no key")},
		{Name: "y.png", Data: other},
		{Name: "y.webp", Data: png}, // webp is preferred
		{Name: "y.cls", Data: []byte(" 0 ")},
		{Name: "y.json", Data: []byte("{}")},
	})
	w, err := dataset.OpenWebDataset(dir, "test")
	require.NoError(t, err)
	got := readAllWDS(t, w)
	require.Len(t, got, 2)
	require.Equal(t, "test/0.tar:sub/x.PNG", got[0].Path)
	require.Equal(t, 1, got[0].Label)
	require.Equal(t, png, got[0].Image)
	require.Equal(t, "test/0.tar:y.webp", got[1].Path)
	require.Equal(t, 0, got[1].Label)
}

func TestWebDatasetProblems(t *testing.T) {
	good := func(key string) []wdstest.Member {
		return []wdstest.Member{{Name: key + ".png", Data: png}, {Name: key + ".cls", Data: []byte("0")}}
	}
	cat := func(ms ...[]wdstest.Member) []wdstest.Member {
		var out []wdstest.Member
		for _, m := range ms {
			out = append(out, m...)
		}
		return out
	}
	tests := []struct {
		name    string
		members []wdstest.Member
		want    string
	}{
		{"missing cls", cat(good("a"), []wdstest.Member{{Name: "b.png", Data: png}}, good("c")), "shard test/0.tar, key b: no .cls member (the label)"},
		{"no image", cat(good("a"), []wdstest.Member{{Name: "b.txt", Data: []byte("x")}, {Name: "b.cls", Data: []byte("0")}}), "shard test/0.tar, key b: no image member"},
		{"bad cls", cat(good("a"), []wdstest.Member{{Name: "b.png", Data: png}, {Name: "b.cls", Data: []byte("dog")}}), `key b: .cls holds "dog", want a label id`},
		{"label out of range", cat(good("a"), []wdstest.Member{{Name: "b.png", Data: png}, {Name: "b.cls", Data: []byte("2")}}), "key b: label 2 is not a class id (classnames.txt has 2 names)"},
		{"negative label", cat(good("a"), []wdstest.Member{{Name: "b.png", Data: png}, {Name: "b.cls", Data: []byte("-1")}}), "key b: label -1 is not a class id"},
		{"repeated suffix", cat(good("a"), []wdstest.Member{{Name: "b.png", Data: png}, {Name: "b.png", Data: png}, {Name: "b.cls", Data: []byte("0")}}), "key b: member b.png repeats a suffix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeWDS(t, "x\ny\n", tt.members)
			w, err := dataset.OpenWebDataset(dir, "test")
			require.NoError(t, err)
			require.Equal(t, 1, w.Problems())
			var bad []dataset.Sample
			for _, s := range readAllWDS(t, w) {
				if s.Err != nil {
					bad = append(bad, s)
				} else {
					require.NotEmpty(t, s.Image)
				}
			}
			require.Len(t, bad, 1)
			require.ErrorContains(t, bad[0].Err, tt.want)
			require.Equal(t, "test/0.tar:b", bad[0].Path)
			require.Nil(t, bad[0].Image)
			var p *dataset.WebDatasetProblem
			require.ErrorAs(t, bad[0].Err, &p)
			require.Equal(t, "b", p.Key)
		})
	}
}

func TestWebDatasetTruncatedShard(t *testing.T) {
	var members []wdstest.Member
	for _, k := range []string{"a", "b", "c", "d"} {
		members = append(members, wdstest.Member{Name: k + ".png", Data: png}, wdstest.Member{Name: k + ".cls", Data: []byte("0")})
	}
	dir := writeWDS(t, "", members, members[:2])
	shard := filepath.Join(dir, "test", "0.tar")
	// Each member is a 512-byte header and one block of data: cut inside
	// c.png's data (the fifth member), so a and b survive.
	require.NoError(t, os.Truncate(shard, 4*1024+512+30))
	w, err := dataset.OpenWebDataset(dir, "test")
	require.NoError(t, err)
	got := readAllWDS(t, w)
	require.Len(t, got, 4) // a, b, the damage, and shard 1's a
	require.ErrorContains(t, got[2].Err, "shard test/0.tar, key c: truncated: member c.png needs")
	for _, k := range []int{0, 1, 3} {
		require.NoError(t, got[k].Err)
	}

	// Garbage where a header should be.
	require.NoError(t, os.WriteFile(shard, []byte(strings.Repeat("garbage!", 200)), 0o644))
	w, err = dataset.OpenWebDataset(dir, "test")
	require.NoError(t, err)
	got = readAllWDS(t, w)
	require.Len(t, got, 2)
	require.ErrorContains(t, got[0].Err, "shard test/0.tar, key (start of file): corrupt or truncated tar")

	// A shard listed by nshards.txt but absent is an error.
	require.NoError(t, os.Remove(shard))
	_, err = dataset.OpenWebDataset(dir, "test")
	require.ErrorContains(t, err, "shard 0 of 2")
	require.ErrorContains(t, err, "0.tar")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "test", "nshards.txt"), []byte("two\n"), 0o644))
	_, err = dataset.OpenWebDataset(dir, "test")
	require.ErrorContains(t, err, `holds "two", want the number of shards`)
}

package outfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func write(t *testing.T, path, text string) {
	t.Helper()
	f, err := Create(path)
	require.NoError(t, err)
	_, err = f.WriteString(text)
	require.NoError(t, err)
	require.NoError(t, f.Commit())
}

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(data)
}

// tempFiles lists the temporary and partial files left in dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, ".*"))
	require.NoError(t, err)
	return m
}

func TestCreateRegular(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.json")
	write(t, path, "one")
	require.Equal(t, "one", read(t, path))

	// The mode of an existing file is kept.
	require.NoError(t, os.Chmod(path, 0o640))
	write(t, path, "two")
	require.Equal(t, "two", read(t, path))
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o640), st.Mode().Perm())

	// Until Commit the old content stays; Abort leaves it and no temporary file.
	f, err := Create(path)
	require.NoError(t, err)
	_, err = f.WriteString("three")
	require.NoError(t, err)
	require.Equal(t, "two", read(t, path))
	f.Abort()
	require.Equal(t, "two", read(t, path))
	require.Empty(t, tempFiles(t, dir))
}

func TestCreateThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.json")
	require.NoError(t, os.WriteFile(real, []byte("old"), 0o644))
	link := filepath.Join(dir, "link.json")
	require.NoError(t, os.Symlink("real.json", link))
	write(t, link, "new")
	li, err := os.Lstat(link)
	require.NoError(t, err)
	require.NotZero(t, li.Mode()&os.ModeSymlink, "the symlink stays a symlink")
	require.Equal(t, "new", read(t, real))

	// A dangling symlink is written through too: its target is created.
	dangling := filepath.Join(dir, "dangling.json")
	require.NoError(t, os.Symlink("made.json", dangling))
	write(t, dangling, "made")
	require.Equal(t, "made", read(t, filepath.Join(dir, "made.json")))
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data.parquet")
	require.NoError(t, os.WriteFile(data, []byte("PAR1"), 0o644))
	require.NoError(t, os.Symlink("data.parquet", filepath.Join(dir, "alias.parquet")))
	readonly := filepath.Join(dir, "ro")
	require.NoError(t, os.Mkdir(readonly, 0o555))
	inputs := []Named{{"--dataset", data}, {"--labels", ""}}

	for _, tc := range []struct {
		name    string
		outputs []Named
		want    string
	}{
		{"fine", []Named{{"--output", filepath.Join(dir, "r.json")}, {"--predictions", filepath.Join(dir, "p.jsonl")}, {"--x", ""}}, ""},
		{"two to /dev/null", []Named{{"--output", os.DevNull}, {"--predictions", os.DevNull}}, ""},
		{"output is the dataset", []Named{{"--output", data}}, "--output " + data + " is the same file as --dataset " + data},
		{"output links to the dataset", []Named{{"--output", filepath.Join(dir, "alias.parquet")}}, "is the same file as --dataset"},
		{"same output twice", []Named{{"--output", filepath.Join(dir, "r.json")}, {"--predictions", filepath.Join(dir, ".", "r.json")}},
			"--predictions " + filepath.Join(dir, "r.json") + " is the same file as --output"},
		{"missing folder", []Named{{"--output", filepath.Join(dir, "typo", "r.json")}}, "its folder: stat " + filepath.Join(dir, "typo")},
		{"a folder", []Named{{"--output", dir}}, "is a folder, want a file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(tc.outputs, inputs)
			if tc.want == "" {
				require.NoError(t, err)
			} else {
				require.ErrorContains(t, err, tc.want)
			}
			require.Empty(t, tempFiles(t, dir))
		})
	}
	if os.Geteuid() != 0 {
		require.ErrorContains(t, Check([]Named{{"--output", filepath.Join(readonly, "r.json")}}, nil), "cannot write in its folder")
	}
}

func TestCommitAll(t *testing.T) {
	dir := t.TempDir()
	report, preds := filepath.Join(dir, "r.json"), filepath.Join(dir, "p.jsonl")
	require.NoError(t, os.WriteFile(report, []byte("old report"), 0o644))
	require.NoError(t, os.WriteFile(preds, []byte("old preds"), 0o644))

	a, err := Create(report)
	require.NoError(t, err)
	b, err := Create(preds)
	require.NoError(t, err)
	_, _ = a.WriteString("new report")
	_, _ = b.WriteString("new preds")
	b.File.Close() // a failure while finishing the second file
	require.Error(t, CommitAll(a, b))
	require.Equal(t, "old report", read(t, report), "neither half of the new run")
	require.Equal(t, "old preds", read(t, preds))
	require.Empty(t, tempFiles(t, dir))

	a, err = Create(report)
	require.NoError(t, err)
	b, err = Create(preds)
	require.NoError(t, err)
	_, _ = a.WriteString("new report")
	_, _ = b.WriteString("new preds")
	require.NoError(t, CommitAll(a, b, nil))
	require.Equal(t, "new report", read(t, report))
	require.Equal(t, "new preds", read(t, preds))
	a.Abort() // safe after Commit
	require.Equal(t, "new report", read(t, report))
}

func TestPartial(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.jsonl")
	f, err := CreatePartial(path, false)
	require.NoError(t, err)
	_, _ = f.WriteString("row 1\n")
	f.Abort() // interrupted: the sidecar stays for a resume
	name, err := PartialName(path)
	require.NoError(t, err)
	require.Equal(t, filepath.Join(dir, ".p.jsonl.partial"), name)
	require.Equal(t, "row 1\n", read(t, name))
	require.NoFileExists(t, path)

	f, err = CreatePartial(path, true)
	require.NoError(t, err)
	_, _ = f.WriteString("row 2\n")
	require.NoError(t, f.Commit())
	require.Equal(t, "row 1\nrow 2\n", read(t, path))
	require.NoFileExists(t, name)

	_, err = CreatePartial(os.DevNull, false)
	require.ErrorContains(t, err, "must be a regular file")
}

func TestSame(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.jsonl")
	require.NoError(t, os.WriteFile(a, []byte("a"), 0o644))
	b := filepath.Join(dir, "b.jsonl")
	require.NoError(t, os.WriteFile(b, []byte("a"), 0o644))
	hard := filepath.Join(dir, "hard.jsonl")
	require.NoError(t, os.Link(a, hard))
	link := filepath.Join(dir, "link.jsonl")
	require.NoError(t, os.Symlink("a.jsonl", link))
	missing := filepath.Join(dir, "missing.jsonl")
	tests := []struct {
		name string
		x, y string
		same bool
	}{
		{"one path", a, a, true},
		{"uncleaned path", a, filepath.Join(dir, "sub", "..", ".", "a.jsonl"), true},
		{"hard link", a, hard, true},
		{"symlink", link, a, true},
		{"same content, another file", a, b, false},
		{"missing, same path", missing, filepath.Join(dir, ".", "missing.jsonl"), true},
		{"missing and existing", missing, a, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.same, Same(tt.x, tt.y))
			require.Equal(t, tt.same, Same(tt.y, tt.x))
		})
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "doc.md")
	require.NoError(t, os.WriteFile(p, []byte("old"), 0o600))
	require.NoError(t, WriteFile(p, []byte("new")))
	got, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Equal(t, "new", string(got))
	info, err := os.Stat(p)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "the mode is kept")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file left")
	require.Error(t, WriteFile(filepath.Join(dir, "missing", "doc.md"), []byte("x")))
}

package wds

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadNShards(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		text string
		n    int
		err  string
	}{
		{"2\n", 2, ""},
		{" 7 \r\n", 7, ""},
		{"1048576", MaxShards, ""},
		{"1048577\n", 0, "says 1048577 shards; more than zsic reads (1048576)"},
		{"0\n", 0, `holds "0", want the number of shards (a positive integer)`},
		{"-3", 0, `holds "-3", want`},
		{"two\n", 0, `holds "two", want`},
		{"", 0, `holds "", want`},
		{"99999999999999999999999", 0, `holds "99999999999999999999999", want`},
		{strings.Repeat("x", 100), 0, `holds "` + strings.Repeat("x", 40) + `…", want`},
		{"3" + strings.Repeat(" ", 4094) + "\n", 3, ""},
		{"3" + strings.Repeat(" ", 4095) + "\n", 0, "is larger than 4096 bytes; want the number of shards"},
	}
	for _, tt := range tests {
		p := filepath.Join(dir, NShards)
		require.NoError(t, os.WriteFile(p, []byte(tt.text), 0o644))
		n, err := ReadNShards(p)
		if tt.err != "" {
			require.ErrorContains(t, err, p+" ")
			require.ErrorContains(t, err, tt.err)
			continue
		}
		require.NoError(t, err, tt.text)
		require.Equal(t, tt.n, n)
	}
	_, err := ReadNShards(filepath.Join(dir, "missing", NShards))
	require.ErrorIs(t, err, fs.ErrNotExist)
	_, err = ReadNShards(dir)
	require.ErrorContains(t, err, "read "+dir)
	require.Equal(t, "12.tar", ShardName(12))
}

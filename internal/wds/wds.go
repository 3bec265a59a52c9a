// Package wds holds what packages dataset and hub share of CLIP_benchmark's
// WebDataset layout (DIR/<split>/nshards.txt holding N, the shards
// DIR/<split>/0.tar … (N-1).tar, DIR/classnames.txt and
// DIR/zeroshot_classification_templates.txt): the file names and the
// reading of nshards.txt, so that a local copy and a download agree on them.
package wds

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// The files of the layout.
const (
	ClassNames = "classnames.txt"
	Templates  = "zeroshot_classification_templates.txt"
	NShards    = "nshards.txt"
)

// MaxShards is the most shards a split may have.
const MaxShards = 1 << 20

// ShardName is the file name of shard i in its split's folder: "i.tar".
func ShardName(i int) string { return strconv.Itoa(i) + ".tar" }

// ReadNShards reads the shard count of the nshards.txt at path: a positive
// integer, at most MaxShards, with white space around it allowed. A file
// that cannot be read gives os.ReadFile's error (fs.ErrNotExist for a
// missing one).
func ReadNShards(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	text := strings.TrimSpace(string(data))
	n, err := strconv.Atoi(text)
	if err != nil || n <= 0 {
		if len(text) > 40 {
			text = text[:40] + "…"
		}
		return 0, fmt.Errorf("%s holds %q, want the number of shards (a positive integer)", path, text)
	}
	if n > MaxShards {
		return 0, fmt.Errorf("%s says %d shards; more than zsic reads (%d)", path, n, MaxShards)
	}
	return n, nil
}

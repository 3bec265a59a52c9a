// Package wds holds what packages dataset and hub share of CLIP_benchmark's
// WebDataset layout (DIR/<split>/nshards.txt holding N, the shards
// DIR/<split>/0.tar … (N-1).tar, DIR/classnames.txt and
// DIR/zeroshot_classification_templates.txt): the file names and the
// reading of nshards.txt, so that a local copy and a download agree on them.
package wds

import (
	"fmt"
	"io"
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

// maxNShardsBytes is the largest nshards.txt ReadNShards reads: a number
// with white space around it.
const maxNShardsBytes = 4096

// MaxShards is the most shards a split may have.
const MaxShards = 1 << 20

// ShardName is the file name of shard i in its split's folder: "i.tar".
func ShardName(i int) string { return strconv.Itoa(i) + ".tar" }

// ReadNShards reads the shard count of the nshards.txt at path: a positive
// integer, at most MaxShards, with white space around it allowed, in a file
// of at most maxNShardsBytes (a larger one is refused unread). A file that
// cannot be opened gives os.Open's error (fs.ErrNotExist for a missing one).
func ReadNShards(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxNShardsBytes+1))
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxNShardsBytes {
		return 0, fmt.Errorf("%s is larger than %d bytes; want the number of shards (a positive integer)", path, maxNShardsBytes)
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

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/hub"
)

func runFetch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var (
		modelID, data, split, revision, variant, to string
	)
	fs := newFlagSet("fetch", "(--model-id org/name [--variant V] | --dataset org/name --split S) [--to PATH]",
		"zsic fetch --dataset uoft-cs/cifar100 --split test --to ~/.cache/zsic/data/cifar100/test.parquet", stderr)
	fs.StringVar(&modelID, "model-id", "", "Hub model id to download (the files zsic reads)")
	fs.StringVar(&variant, "variant", "", "Transformers.js tower variant of --model-id")
	fs.StringVar(&data, "dataset", "", "Hub dataset id whose split to download")
	fs.StringVar(&split, "split", "test", "split of --dataset")
	fs.StringVar(&revision, "revision", "main", "Hub revision")
	fs.StringVar(&to, "to", "", "also link the result here (the snapshot folder, or a single-shard split's parquet file)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || (modelID == "") == (data == "") {
		return errors.New("give exactly one of --model-id or --dataset (see zsic fetch --help)")
	}
	c := hub.FromEnv()
	c.Progress = bar(stderr, false)
	var got []string
	if modelID != "" {
		snap, err := c.Snapshot(ctx, hub.RepoModel, modelID, revision, zsic.ModelFiles(variant))
		if err != nil {
			return err
		}
		got = []string{snap}
	} else if got, err = c.DatasetSplit(ctx, data, split, revision); err != nil {
		return err
	}
	for _, p := range got {
		fmt.Fprintln(stdout, p)
	}
	if to == "" {
		return nil
	}
	if len(got) != 1 {
		return fmt.Errorf("--to %s: the split has %d shards; use the folder %s instead", to, len(got), filepath.Dir(got[0]))
	}
	target, err := filepath.EvalSymlinks(got[0])
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	os.Remove(to)
	return os.Symlink(target, to)
}

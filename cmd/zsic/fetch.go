package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/dataset"
	"github.com/zsic/zsic/zsic/hub"
)

func runFetch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var (
		mf modelFlags
		df datasetFlags
		to string
	)
	fs := newFlagSet("fetch", "(--model-id org/name [--revision R] [--variant V] | --dataset org/name --split S [--dataset-revision R]) [--to PATH]",
		"zsic fetch --dataset uoft-cs/cifar100 --split test --to ~/.cache/zsic/data/cifar100/test.parquet", stderr)
	mf.registerHub(fs)
	df.registerHub(fs, "the Hub dataset whose split to download")
	fs.StringVar(&to, "to", "", "also link the result here (the snapshot folder, or a single-shard split's parquet file)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || (mf.modelID == "") == (df.path == "") {
		return errors.New("give exactly one of --model-id or --dataset (see zsic fetch --help)")
	}
	if df.path != "" && isSet(fs, "revision") {
		return errors.New("--revision is the revision of --model-id; for --dataset give --dataset-revision")
	}
	// Before any download: --to must not name something fetch would delete.
	if err := checkFetchTo(to); err != nil {
		return err
	}
	c := hubClient(stderr)
	var got []string
	if mf.modelID != "" {
		snap, err := c.Snapshot(ctx, hub.RepoModel, mf.modelID, mf.revision, zsic.ModelFiles(mf.variant))
		if err != nil {
			return err
		}
		got = []string{snap}
	} else if dataset.IsWebDatasetRepo(df.path) {
		snap, err := c.WebDataset(ctx, df.path, df.split, df.revision)
		if err != nil {
			return err
		}
		got = []string{snap}
	} else if got, err = c.DatasetSplit(ctx, df.path, df.split, df.revision); err != nil {
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
	if err := linkTo(target, to); err != nil {
		return fmt.Errorf("--to %s: %w", to, err)
	}
	return nil
}

package setup

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/zsic/zsic/internal/cache"
)

// tokenizerFiles are the CLIP tokenizer reference files the tests read.
var tokenizerFiles = []string{"vocab.json", "merges.txt", "reference_ids.jsonl"}

// TokenizerData checks that the CLIP tokenizer reference data is in one of
// the data folders.
func (s *Setup) TokenizerData() error {
	var missing []string
	var found string
	for _, f := range tokenizerFiles {
		p, err := cache.FindData(s.Root, filepath.Join("tokenizers", "clip", f))
		if err != nil {
			missing = append(missing, f)
			continue
		}
		found = filepath.Dir(p)
	}
	if len(missing) > 0 {
		return fmt.Errorf("CLIP tokenizer reference data missing (%s): put OpenAI CLIP's vocab.json, merges.txt and reference_ids.jsonl in one of %s, under tokenizers/clip/",
			strings.Join(missing, ", "), strings.Join(cache.DataDirs(s.Root), ", "))
	}
	s.logf("CLIP tokenizer reference data: %s", found)
	return nil
}

// CIFAR100 finds the CIFAR-100 test parquet, or downloads it from the
// Hugging Face Hub into the cache with `zsic fetch`.
func (s *Setup) CIFAR100(ctx context.Context) error {
	if p, err := cache.CIFAR100(s.Root); err == nil {
		s.logf("CIFAR-100 test split: %s", p)
		return nil
	} else if os.Getenv("ZSIC_CIFAR100") != "" {
		return err
	}
	dst := filepath.Join(cache.Dir(), "data", "cifar100", "test.parquet")
	s.logf("CIFAR-100 test split: not found locally; downloading uoft-cs/cifar100 (test) from the Hugging Face Hub")
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, s.command(s.Go, "go"), "run", "./cmd/zsic", "fetch", "--dataset", "uoft-cs/cifar100", "--split", "test", "--to", dst)
	cmd.Dir = s.Root
	cmd.Stdout, cmd.Stderr = s.Log, s.Log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("no CIFAR-100 test parquet (download failed: %v): put it at ../shared/data/cifar100/test.parquet, or set ZSIC_CIFAR100 to its path, or run setup online", err)
	}
	s.logf("CIFAR-100 test split: %s", dst)
	return nil
}

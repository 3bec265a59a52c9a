// Package doccmd holds what the commands that measure the suite's model
// pairs and write a Markdown document share (regress/cmd/report,
// regress/cmd/prompts): their command line, opening the suite, and the
// loop over the pairs that skips the real models that are not here.
package doccmd

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/zsic/zsic/internal/cache"
	"github.com/zsic/zsic/internal/outfile"
	"github.com/zsic/zsic/regress"
	"github.com/zsic/zsic/zsic"
)

// Open parses the command line of the command name (-o FILE, required, and
// -root, -dataset, -models, -threads) and opens the suite it describes. It
// returns the suite and the document's path, checked as outfile.Check
// does (write it with outfile.WriteFile); close the suite.
func Open(name string, args []string, stderr io.Writer) (*regress.Suite, string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the Markdown here (required)")
	root := fs.String("root", ".", "the repository root")
	data := fs.String("dataset", "", "the CIFAR-100 test parquet (default: $ZSIC_CIFAR100, else cifar100/test.parquet in $ZSIC_DATA, ../shared/data or the cache)")
	models := fs.String("models", os.Getenv(regress.ModelsDirEnv), "folder of the real seed models, by Hub id")
	threads := fs.Int("threads", 0, "ONNX Runtime intra-op threads (0: the default split)")
	if err := fs.Parse(args); err != nil {
		return nil, "", err
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return nil, "", errors.New("give -o FILE and no arguments")
	}
	if *data == "" {
		p, err := cache.CIFAR100(*root)
		if err != nil {
			return nil, "", err
		}
		*data = p
	}
	// The document is written after every pair is measured: find a bad
	// -o now, not then.
	if err := outfile.Check([]outfile.Named{{Flag: "-o", Path: *out}}, []outfile.Named{{Flag: "-dataset", Path: *data}}); err != nil {
		return nil, "", err
	}
	s, err := regress.OpenSuite(regress.Env{Root: *root, Dataset: *data, ModelsDir: *models, Runtime: zsic.RuntimeOptions{Threads: *threads}})
	if err != nil {
		return nil, "", err
	}
	return s, *out, nil
}

// EachPair calls measure with every quantization pair's fp32 case, in
// order. A pair whose model is not here (a *regress.AbsentError) is noted
// on stderr and its model returned in skipped; any other error stops the
// loop.
func EachPair(stderr io.Writer, measure func(regress.Case) error) (skipped []string, err error) {
	for _, c := range regress.QuantizationPairs() {
		err := measure(c)
		if absent := (*regress.AbsentError)(nil); errors.As(err, &absent) {
			fmt.Fprintf(stderr, "skip: %s\n", absent.Reason())
			skipped = append(skipped, c.Model)
			continue
		}
		if err != nil {
			return nil, err
		}
	}
	return skipped, nil
}

// Command zsic evaluates, runs and inspects zero-shot image classifiers
// exported as two ONNX towers.
//
// Usage:
//
//	zsic eval -m DIR --dataset test.parquet [--samples N] [--output report.json]
//	zsic classify -m DIR IMAGE... --labels cat,dog
//	zsic embed -m DIR (--image FILE | --text STR)...
//	zsic fetch --model-id org/name | --dataset org/name --split test
//	zsic report --predictions P.jsonl [--report R.json] [--dataset D] --output report.html
//	zsic compare A.jsonl B.jsonl [--dataset D] [--output compare.html] [--fail-if-worse PTS]
//	zsic merge --output report.json --predictions all.jsonl SHARD_REPORT...
//	zsic table [--csv] REPORT...
//
// Run `zsic COMMAND --help` for each command's flags and an example.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sync"
	"syscall"
	"time"
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"eval", "measure top-1/top-5 accuracy on a labelled dataset", runEval},
	{"classify", "rank candidate labels for images", runClassify},
	{"embed", "print image or text embeddings as JSON lines", runEmbed},
	{"fetch", "download a model or dataset split into the Hugging Face cache", runFetch},
	{"report", "render a run's predictions as an HTML (or Markdown) report", runReport},
	{"compare", "compare two runs' predictions over the same samples", runCompare},
	{"merge", "merge the reports and predictions of a sharded run", runMerge},
	{"table", "print a model × dataset table of eval reports", runTable},
}

// graceTime is how long a command has to stop after SIGINT or SIGTERM
// before zsic exits anyway (a reader blocked in the kernel cannot stop).
const graceTime = 2 * time.Second

func main() {
	setGCPercent(os.Getenv)
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	var exit sync.Once
	go func() {
		s := <-sigs
		cancel(interrupted{s})
		select {
		case <-time.After(graceTime):
		case <-sigs:
		}
		exit.Do(func() {
			abortOutputs()
			fmt.Fprintln(os.Stderr, interruptMessage("zsic", s))
			os.Exit(exitCode(s))
		})
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	exit.Do(func() { os.Exit(code) })
	select {} // the signal handler is exiting
}

// gcPercent is the Go garbage collector's target when GOGC is not set.
// zsic's Go heap is mostly a few long-lived pixel buffers (a batch per
// stream and worker, recycled) plus each image's small garbage; at Go's
// default of 100 the heap is let grow to twice those buffers before a
// collection, so a run's peak memory depended on whether it lasted long
// enough to get there: 9.7 MiB more for 9,999 tiny-clip images than for
// 1,000. At 30 that is 5 MiB, and the extra collections of a heap of a few
// pointer-free buffers cost no measurable CPU (scripts/speed.sh, "peak RSS
// against dataset size").
const gcPercent = 30

// setGCPercent sets the garbage collector's target to gcPercent unless
// the user chose one with GOGC.
func setGCPercent(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}

// run executes the command line args and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name == args[0] {
			forgetPartials()
			err := c.run(ctx, args[1:], stdout, stderr)
			var usage usageError
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			case errors.Is(err, errUsage):
				return 2
			case errors.As(err, &usage):
				fmt.Fprintf(stderr, "zsic %s: %v\n", c.name, err)
				return 2
			}
			if sig, ok := isInterrupt(ctx); ok {
				abortOutputs()
				fmt.Fprintln(stderr, interruptMessage("zsic "+c.name, sig))
				return exitCode(sig)
			}
			fmt.Fprintf(stderr, "zsic %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "zsic: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "zsic: zero-shot image classification with dual-encoder ONNX models")
	fmt.Fprintln(w, "\nUsage: zsic COMMAND [flags]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun `zsic COMMAND --help` for a command's flags and an example.")
}

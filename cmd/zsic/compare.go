package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/zsic/zsic/internal/htmlreport"
	"github.com/zsic/zsic/internal/outfile"
	"github.com/zsic/zsic/zsic"
	runreport "github.com/zsic/zsic/zsic/report"
)

// compareFlags are compare's flags.
type compareFlags struct {
	page        pageFlags
	failIfWorse float64
	alpha       float64
}

// errWorse marks a comparison that --fail-if-worse fails.
var errWorse = errors.New("B is significantly worse than A")

func runCompare(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := compareFlags{failIfWorse: -1}
	fs := newFlagSet("compare", "A.jsonl B.jsonl [--labels a,b,c|@FILE] [--dataset D] [--output compare.html|.md] [--fail-if-worse PTS]",
		"zsic compare fp32.jsonl int8.jsonl --dataset ../shared/data/cifar100/test.parquet --output compare.html --fail-if-worse 1", stderr)
	registerPage(fs, &f.page, "flipped images")
	fs.Float64Var(&f.failIfWorse, "fail-if-worse", -1, "exit 1 when B's top-1 is more than PTS points below A's and the difference is significant (see --alpha); negative: never")
	fs.Float64Var(&f.alpha, "alpha", 0.05, "significance level of the exact McNemar test")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return fmt.Errorf("give two predictions files, A and B (got %d arguments; see zsic compare --help)", len(pos))
	}
	if outfile.Same(pos[0], pos[1]) {
		return usagef("A %s and B %s are the same file: give the predictions of two runs", pos[0], pos[1])
	}
	if !(f.alpha > 0 && f.alpha < 1) {
		return fmt.Errorf("--alpha %g: want a level between 0 and 1", f.alpha)
	}
	format, err := f.page.pageFormat()
	if err != nil {
		return err
	}
	if err := f.page.checkOutput(outfile.Named{Flag: "A", Path: pos[0]}, outfile.Named{Flag: "B", Path: pos[1]}); err != nil {
		return err
	}
	var runs [2][]zsic.Prediction
	for i, p := range pos {
		if runs[i], _, err = runreport.ReadPredictions(p); err != nil {
			return err
		}
	}
	src, err := f.page.openSource(ctx, stderr)
	if err != nil {
		return err
	}
	if src != nil {
		defer src.Close()
	}
	classes, from, err := f.page.classNames(nil, src, stderr, runs[0], runs[1])
	if err != nil {
		return err
	}
	for i, p := range pos {
		if err := runreport.CheckLabels(runs[i], len(classes)); err != nil {
			return fmt.Errorf("predictions %s: %w of %s", p, err, cmp.Or(from, "the predictions"))
		}
	}
	c, err := htmlreport.ComparePredictions(runs[0], runs[1], classes)
	if err != nil {
		return fmt.Errorf("compare %s with %s: %w", pos[0], pos[1], err)
	}
	printComparison(stdout, c, pos[0], pos[1], f.alpha)
	if f.page.out.output != "" {
		var thumbs map[int][]byte
		if src != nil {
			var flipped []zsic.Prediction
			for _, fl := range c.Flips[:min(len(c.Flips), htmlreport.GallerySize)] {
				flipped = append(flipped, fl.A)
			}
			if thumbs, err = thumbnails(src, f.page.ds.path, flipped); err != nil {
				return err
			}
		}
		title := f.page.title
		if title == "" {
			title = "zsic compare"
		}
		doc, err := htmlreport.RenderCompare(htmlreport.Compare{Title: title, NameA: pos[0], NameB: pos[1], Comparison: c, Alpha: f.alpha, Thumbs: thumbs},
			format, f.page.pagePrefix())
		if err != nil {
			return err
		}
		if err := f.page.writePage(ctx, doc); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", f.page.out.output)
	}
	if f.failIfWorse >= 0 && -c.Table.Delta() > f.failIfWorse+1e-9 && c.Significant(f.alpha) {
		return fmt.Errorf("%w: top-1 %+.2f pts (more than the %g allowed by --fail-if-worse), exact McNemar %s (significant at --alpha %g)",
			errWorse, c.Table.Delta(), f.failIfWorse, htmlreport.DescribeP(c.Table.PValue()), f.alpha)
	}
	return nil
}

// printComparison prints the comparison's numbers.
func printComparison(w io.Writer, c *htmlreport.Comparison, a, b string, alpha float64) {
	t := c.Table
	a1, b1 := t.Top1()
	lo, hi := t.DeltaCI95()
	rw, wr, ww := c.FlipCounts()
	fmt.Fprintf(w, "A: %s\nB: %s\n", a, b)
	fmt.Fprintf(w, "%-22s %9s %9s %12s\n", "", "A", "B", "Δ (B − A)")
	fmt.Fprintf(w, "%-22s %8.2f%% %8.2f%% %+8.2f pts (95%% CI %+.2f to %+.2f)\n", "top-1 accuracy", a1, b1, b1-a1, lo, hi)
	fmt.Fprintf(w, "%-22s %8.2f%% %8.2f%% %+8.2f pts\n", "top-5 accuracy", c.A.Top5, c.B.Top5, c.B.Top5-c.A.Top5)
	fmt.Fprintf(w, "%-22s %8.2f%% %8.2f%% %+8.2f pts\n", "mean per-class recall", c.A.MeanPerClassRecall, c.B.MeanPerClassRecall, c.B.MeanPerClassRecall-c.A.MeanPerClassRecall)
	fmt.Fprintf(w, "top-1 agreement %d of %d = %.2f%%; %d flips (%d right→wrong, %d wrong→right, %d wrong→wrong)\n",
		t.Agree, t.N, t.Agreement(), len(c.Flips), rw, wr, ww)
	fmt.Fprintf(w, "discordant b = %d (only A right), c = %d (only B right); exact McNemar %s\n", t.OnlyFirst, t.OnlySecond, htmlreport.DescribeP(t.PValue()))
	fmt.Fprintln(w, htmlreport.Verdict(c, alpha))
}

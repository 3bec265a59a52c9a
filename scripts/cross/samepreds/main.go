// Command samepreds checks that two `zsic eval --predictions` files agree:
// the same samples in the same order, the same top-5 label lists, and
// scores within a tolerance. `make cross` uses it to compare a Windows (Wine)
// or linux/arm64 (qemu) run with the native Linux run.
//
//	samepreds [-tol 1e-6] want.jsonl got.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
)

// prediction is one line of a predictions file.
type prediction struct {
	Index  int       `json:"index"`
	Label  int       `json:"label"`
	Top5   []int     `json:"top5"`
	Scores []float64 `json:"scores"`
}

func main() {
	tol := flag.Float64("tol", 1e-6, "largest allowed score difference")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: samepreds [-tol X] want.jsonl got.jsonl")
		os.Exit(2)
	}
	want, err := load(flag.Arg(0))
	if err == nil {
		var got []prediction
		if got, err = load(flag.Arg(1)); err == nil {
			var maxDiff float64
			if maxDiff, err = compare(want, got, *tol); err == nil {
				fmt.Printf("samepreds: %d samples, identical top-5 lists, largest score difference %.2g\n", len(want), maxDiff)
				return
			}
		}
	}
	fmt.Fprintf(os.Stderr, "samepreds: %s vs %s: %v\n", flag.Arg(0), flag.Arg(1), err)
	os.Exit(1)
}

func load(path string) ([]prediction, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parse(f, path)
}

func parse(r io.Reader, name string) ([]prediction, error) {
	var ps []prediction
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var p prediction
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		ps = append(ps, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("%s: no predictions", name)
	}
	return ps, nil
}

// compare returns the largest score difference, or an error at the first
// sample that differs.
func compare(want, got []prediction, tol float64) (float64, error) {
	if len(want) != len(got) {
		return 0, fmt.Errorf("%d samples vs %d", len(want), len(got))
	}
	var maxDiff float64
	for i, w := range want {
		g := got[i]
		if w.Index != g.Index || w.Label != g.Label {
			return 0, fmt.Errorf("line %d: sample %d (label %d) vs sample %d (label %d)", i+1, w.Index, w.Label, g.Index, g.Label)
		}
		if !slices.Equal(w.Top5, g.Top5) {
			return 0, fmt.Errorf("sample %d: top-5 %v vs %v", w.Index, w.Top5, g.Top5)
		}
		if len(w.Scores) != len(g.Scores) {
			return 0, fmt.Errorf("sample %d: %d scores vs %d", w.Index, len(w.Scores), len(g.Scores))
		}
		for j := range w.Scores {
			d := math.Abs(w.Scores[j] - g.Scores[j])
			if !(d <= tol) {
				return 0, fmt.Errorf("sample %d: score of label %d %v vs %v (difference %.2g > %g)", w.Index, w.Top5[j], w.Scores[j], g.Scores[j], d, tol)
			}
			maxDiff = max(maxDiff, d)
		}
	}
	return maxDiff, nil
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"io"
	"os"
	"time"

	"github.com/zsic/zsic/zsic/imageproc"
)

func runClassify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var (
		mf     modelFlags
		rf     runtimeFlags
		labels string
		pf     = promptFlags{asGiven: true}
		top    int
		asJSON bool
	)
	fs := newFlagSet("classify", "(-m DIR | --model-id ID) IMAGE... --labels a,b,c|@FILE [flags]",
		"zsic classify -m fixtures/models/tiny-clip cat.png --labels cat,dog,bird", stderr)
	mf.register(fs)
	rf.register(fs)
	fs.StringVar(&labels, "labels", "", "candidate labels: a,b,c or @FILE (one per line, or a JSON array)")
	pf.register(fs)
	fs.IntVar(&top, "top", 0, "print only the best N labels (0: all)")
	fs.BoolVar(&asJSON, "json", false, "print the pipeline's output: a JSON list of {score, label} per image")
	images, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(images) == 0 {
		return errors.New("no image given (see zsic classify --help)")
	}
	pf.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { pf.set[fl.Name] = true })
	var names []string
	if labels != "" {
		if names, err = parseLabels(labels); err != nil {
			return err
		}
	}
	if len(names) == 0 && pf.head == "" && pf.classnames == "" {
		return errors.New("no --labels: give the candidate labels, a,b,c or @FILE (or --classnames, or --head FILE)")
	}
	if len(names) > 0 && (pf.head != "" || pf.classnames != "") {
		return errors.New("--labels names the candidates: drop --classnames and --head, or --labels")
	}
	text, err := pf.plan(names, nil)
	if err != nil {
		return err
	}
	for _, w := range text.warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	names = pf.names(text.classes)
	imgs := make([]image.Image, len(images))
	for i, p := range images {
		if imgs[i], err = readImage(p); err != nil {
			return err
		}
	}
	clf, err := openModel(ctx, &mf, &rf, stderr)
	if err != nil {
		return err
	}
	defer clf.Close()
	l := text.labels
	if l != nil {
		if err := checkHead(pf.head, text, clf.Classifier); err != nil {
			return err
		}
	} else {
		if l, err = clf.EncodeClasses(names, text.prompts, 0); err != nil {
			return err
		}
		if pf.saveHead != "" {
			if err := pf.saveHeadFile(pf.saveHead, clf.Classifier, text, l); err != nil {
				return err
			}
		}
	}
	ranked, err := clf.Classify(ctx, imgs, l)
	if err != nil {
		return err
	}
	type scored struct {
		Score float64 `json:"score"`
		Label string  `json:"label"`
	}
	for i, r := range ranked {
		if top > 0 && top < len(r) {
			r = r[:top]
		}
		if asJSON {
			out := make([]scored, len(r))
			for k, x := range r {
				out[k] = scored{x.Score, names[x.Label]}
			}
			if err := json.NewEncoder(stdout).Encode(out); err != nil {
				return err
			}
			continue
		}
		if len(images) > 1 {
			fmt.Fprintf(stdout, "%s\n", images[i])
		}
		for _, x := range r {
			fmt.Fprintf(stdout, "%.4f\t%s\n", x.Score, names[x.Label])
		}
	}
	return nil
}

// readImage reads and decodes an image file.
func readImage(path string) (image.Image, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read image: %w", err)
	}
	img, err := imageproc.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", path, err)
	}
	return img, nil
}

// ms returns d in milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

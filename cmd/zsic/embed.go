package main

import (
	"context"
	"encoding/json"
	"errors"
	"image"
	"io"

	"github.com/zsic/zsic/zsic"
)

// input is one --image or --text value, in command-line order.
type input struct {
	image bool
	value string
}

// inputFlag appends to a shared ordered list of inputs.
type inputFlag struct {
	list  *[]input
	image bool
}

func (f inputFlag) String() string { return "" }
func (f inputFlag) Set(v string) error {
	*f.list = append(*f.list, input{f.image, v})
	return nil
}

func runEmbed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var (
		mf        modelFlags
		rf        runtimeFlags
		inputs    []input
		normalize bool
	)
	fs := newFlagSet("embed", "(-m DIR | --model-id ID) (--image FILE | --text STR)... [--normalize]",
		`zsic embed -m fixtures/models/tiny-clip --text "This is a photo of a cat." --image cat.png`, stderr)
	mf.register(fs)
	rf.register(fs)
	fs.Var(inputFlag{&inputs, true}, "image", "an image file to embed (repeatable)")
	fs.Var(inputFlag{&inputs, false}, "text", "a text to embed as is, no template (repeatable)")
	fs.BoolVar(&normalize, "normalize", false, "L2-normalize each embedding")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return errors.New("unexpected argument " + pos[0] + ": give inputs with --image or --text")
	}
	if len(inputs) == 0 {
		return errors.New("nothing to embed: give --image FILE or --text STR")
	}
	var (
		imgs  []image.Image
		texts []string
	)
	for _, in := range inputs {
		if !in.image {
			texts = append(texts, in.value)
			continue
		}
		img, err := readImage(in.value)
		if err != nil {
			return err
		}
		imgs = append(imgs, img)
	}
	clf, err := openModel(ctx, &mf, &rf, stderr)
	if err != nil {
		return err
	}
	defer clf.Close()
	var imgRows, textRows [][]float32
	if len(imgs) > 0 {
		if imgRows, err = clf.EmbedImages(ctx, imgs); err != nil {
			return err
		}
	}
	if len(texts) > 0 {
		// One batch, padded together as the pipeline pads its prompts.
		if textRows, err = clf.EmbedTexts(texts, 0); err != nil {
			return err
		}
	}
	enc := json.NewEncoder(stdout)
	for _, in := range inputs {
		var row []float32
		if in.image {
			row, imgRows = imgRows[0], imgRows[1:]
		} else {
			row, textRows = textRows[0], textRows[1:]
		}
		if normalize {
			row = zsic.Normalize(row)
		}
		if err := enc.Encode(struct {
			Input     string    `json:"input"`
			Embedding []float32 `json:"embedding"`
		}{in.value, row}); err != nil {
			return err
		}
	}
	return nil
}

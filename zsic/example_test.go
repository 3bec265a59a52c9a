package zsic_test

import (
	"context"
	"fmt"
	"image"
	"log"
	"os"
	"path/filepath"

	"github.com/zsic/zsic/internal/cache"
	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/dataset"
	"github.com/zsic/zsic/zsic/imageproc"
)

// This example resolves a model folder (a Hub id such as
// "openai/clip-vit-base-patch32" works the same way, fetched into the Hub
// cache), opens it on an ONNX Runtime runtime, and ranks candidate labels for
// six images.
func Example() {
	ctx := context.Background()
	model, err := zsic.Resolve(ctx, zsic.ModelRef{Path: "../fixtures/models/tiny-clip"}, nil)
	if err != nil {
		log.Fatal(err)
	}
	// The runtime owns ONNX Runtime; an empty Library means the one
	// already loaded, else $ONNXRUNTIME_LIB, else the one setup cached.
	rt, err := zsic.NewRuntime(zsic.RuntimeOptions{Threads: 1})
	if err != nil {
		log.Fatal(err)
	}
	defer rt.Close()
	clf, err := zsic.Open(rt, model, zsic.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer clf.Close()

	// Encode the label prompts once, then classify any number of images.
	labels, err := clf.EncodeLabels([]string{"mountain", "forest", "seal", "mushroom", "sea", "apple", "cattle"}, zsic.DefaultTemplate, 0)
	if err != nil {
		log.Fatal(err)
	}
	var imgs []image.Image
	for _, name := range []string{"cifar_0.png", "cifar_1.png", "cifar_2.png", "cifar_3.png", "cifar_4.png", "cifar_7.png"} {
		data, err := os.ReadFile(filepath.Join("../fixtures/imageproc/inputs", name))
		if err != nil {
			log.Fatal(err)
		}
		img, err := imageproc.Decode(data)
		if err != nil {
			log.Fatal(err)
		}
		imgs = append(imgs, img)
	}
	ranked, err := clf.Classify(ctx, imgs, labels)
	if err != nil {
		log.Fatal(err)
	}
	// Each image's labels come best first. (The fixture is a tiny model
	// trained for tests: a real CLIP ranks these CIFAR-100 thumbnails far
	// better.)
	for i, r := range ranked {
		fmt.Printf("image %d: %s, then %s\n", i, labels.Names[r[0].Label], labels.Names[r[1].Label])
	}
	// Output:
	// image 0: mushroom, then seal
	// image 1: cattle, then mountain
	// image 2: seal, then cattle
	// image 3: cattle, then forest
	// image 4: seal, then mountain
	// image 5: seal, then forest
}

// cifar100 is the CIFAR-100 test parquet that setup put in the data folder.
var cifar100 = func() string {
	p, err := cache.CIFAR100("..")
	if err != nil {
		return filepath.Join("..", "..", "shared", "data", "cifar100", "test.parquet")
	}
	return p
}()

// This example evaluates a model on the first 200 rows of a Hugging
// Face-layout parquet file, whose ClassLabel names are the classes.
func ExampleClassifier_Evaluate() {
	model, err := zsic.LoadModel("../fixtures/models/tiny-clip", nil, "")
	if err != nil {
		log.Fatal(err)
	}
	rt, err := zsic.NewRuntime(zsic.RuntimeOptions{Threads: 1})
	if err != nil {
		log.Fatal(err)
	}
	defer rt.Close()
	clf, err := zsic.Open(rt, model, zsic.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer clf.Close()

	// Package dataset reads parquet files, image folders and manifests as
	// zsic.Sources.
	src, err := dataset.Open(cifar100, dataset.DefaultColumns()) // "img" and "fine_label"
	if err != nil {
		log.Fatal(err)
	}
	defer src.Close()
	rows, err := dataset.Select(src.Len(), 200, false, 0)
	if err != nil {
		log.Fatal(err)
	}
	res, err := clf.Evaluate(context.Background(), src, rows, zsic.EvalOptions{Classes: src.Classes()})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d samples: top-1 %.1f%%, top-5 %.1f%%\n", res.Samples, res.Metrics.Top1, res.Metrics.Top5)
	// Output:
	// 200 samples: top-1 30.0%, top-5 62.5%
}

package head_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/zsic/zsic/zsic/head"
)

// A head saved next to its image encoder, loaded back and checked against
// the towers at hand before use.
func ExampleLoad() {
	dir, err := os.MkdirTemp("", "head")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	image := filepath.Join(dir, "vision_model.onnx")
	if err := os.WriteFile(image, []byte("an image tower"), 0o644); err != nil {
		panic(err)
	}
	towers, err := head.TowerSHA256(map[string]string{"image-encoder": image})
	if err != nil {
		panic(err)
	}
	h := &head.Head{
		Embeds: [][]float32{{0.6, 0.8}, {0, 1}},
		Meta:   head.Meta{Classes: []string{"cat", "dog"}, Templates: []string{"a photo of a {}."}, Towers: towers, Normalization: "l2-normalize each prompt, mean, l2-normalize"},
	}
	path := filepath.Join(dir, "head.npy")
	if err := h.Save(path); err != nil {
		panic(err)
	}
	back, err := head.Load(path)
	if err != nil {
		panic(err)
	}
	fmt.Println(back.Meta.Classes, back.Meta.Dim, filepath.Base(head.SidecarPath(path)))
	fmt.Println(back.Check(map[string]string{"image-encoder": image}, path))
	// Output:
	// [cat dog] 2 head.json
	// <nil>
}

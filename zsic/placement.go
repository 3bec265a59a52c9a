package zsic

import (
	"fmt"
	"strings"

	"github.com/zsic/zsic/zsic/encoder"
)

// Placement says where ONNX Runtime ran a tower's nodes, by execution
// provider; see encoder.Placement.
type Placement = encoder.Placement

// Placements maps each tower's role to its Placement.
type Placements map[Role]Placement

// String lists each tower's placement, image first, e.g.
// "image-encoder CUDA 412, CPU 3; text-encoder CUDA 230, CPU 0".
func (p Placements) String() string {
	var parts []string
	for _, r := range Roles() {
		if pl, ok := p[r]; ok {
			parts = append(parts, fmt.Sprintf("%s %s", r, pl))
		}
	}
	return strings.Join(parts, "; ")
}

// Fallback returns the number of nodes, over every tower, that ran on
// another provider than the device's: the CPU's fallback.
func (p Placements) Fallback() int {
	n := 0
	for _, pl := range p {
		n += pl.Fallback()
	}
	return n
}

// imagePlacer and textPlacer are towers that can measure their
// placement; *encoder.Image and *encoder.Text are.
type (
	imagePlacer interface {
		Placement(height, width int) (Placement, error)
	}
	textPlacer interface{ Placement() (Placement, error) }
)

// Placement measures where ONNX Runtime places each tower's nodes: for
// each tower, a second, short-lived session of the same graph on the same
// device, with ONNX Runtime's profiling on, runs once on a blank input
// (an image of the model's size, a short text) and is closed, and its
// profile is read (see encoder.Image.Placement). The towers' own sessions
// are never profiled. It costs a session per tower, compilation included
// on devices that compile. A tower that cannot measure it (a test fake) is
// absent from the result.
func (c *Classifier) Placement() (Placements, error) {
	p := Placements{}
	if t, ok := c.image.(imagePlacer); ok {
		pl, err := t.Placement(c.h, c.w)
		if err != nil {
			return nil, err
		}
		p[ImageEncoder] = pl
	}
	if t, ok := c.text.(textPlacer); ok {
		pl, err := t.Placement()
		if err != nil {
			return nil, err
		}
		p[TextEncoder] = pl
	}
	return p, nil
}

package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/encoder"
)

// placementFlag is eval's --placement: unset, placement is measured off
// the CPU only (encoder.PlacementByDefault); --placement measures it on
// every device, the CPU included; --placement=false never.
type placementFlag struct {
	set, on bool
}

func (p *placementFlag) String() string {
	if !p.set {
		return "auto"
	}
	return strconv.FormatBool(p.on)
}

func (p *placementFlag) Set(s string) error {
	on, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("want true or false")
	}
	p.set, p.on = true, on
	return nil
}

// IsBoolFlag lets --placement stand alone, meaning --placement=true.
func (p *placementFlag) IsBoolFlag() bool { return true }

// register registers --placement on fs.
func (p *placementFlag) register(fs *flag.FlagSet) {
	fs.Var(p, "placement", "count the nodes ONNX Runtime runs on the device's provider and on the CPU, with a short profiling session per tower before the run (default: on every device but cpu; --placement=false never)")
}

// measure measures the towers' placement on device when the flag asks
// for it (nil when it does not), warning on stderr when nodes fell back
// to the CPU (which --strict-device forbids). Asked for explicitly, a failure to measure is an
// error; by default it is a warning and the run goes on without it.
func (p *placementFlag) measure(clf placer, device string, stderr io.Writer) (zsic.Placements, error) {
	if p.set && !p.on || !p.set && !encoder.PlacementByDefault(device) {
		return nil, nil
	}
	pl, err := clf.Placement()
	if err != nil {
		if p.set {
			return nil, fmt.Errorf("--placement: %w", err)
		}
		fmt.Fprintf(stderr, "warning: placement not measured: %v\n", err)
		return nil, nil
	}
	if n := pl.Fallback(); n > 0 {
		fmt.Fprintf(stderr, "warning: ONNX Runtime ran %d node(s) on other providers than %s (%s); --strict-device refuses such a graph\n",
			n, encoder.ProviderName(device), pl)
	}
	return pl, nil
}

// placer measures placement: a *zsic.Classifier, or a test's fake.
type placer interface {
	Placement() (zsic.Placements, error)
}

// printPlacement prints the towers' placement, if measured, after eval's
// device line.
func printPlacement(w io.Writer, pl zsic.Placements) {
	if pl != nil {
		fmt.Fprintf(w, "placement (nodes by execution provider, from one profiling run per tower): %s\n", pl)
	}
}

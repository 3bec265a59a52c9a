package regress

import (
	"fmt"
	"os"

	"github.com/zsic/zsic/zsic/encoder"
)

// PlacementEnv says whether the suite measures where ONNX Runtime places
// each tower's nodes (zsic.Classifier.Placement: a short profiling session
// per tower, apart from the timed runs) and reports it in test logs and
// benchmark metrics: "1" on every device, the CPU included; "0" never;
// unset, off the CPU only (encoder.PlacementByDefault).
const PlacementEnv = "ZSIC_PLACEMENT"

// PlacementFromEnv reports whether a suite on device measures placement,
// as PlacementEnv says.
func PlacementFromEnv(device string) (bool, error) {
	switch s := os.Getenv(PlacementEnv); s {
	case "":
		return encoder.PlacementByDefault(deviceOf(device)), nil
	case "1":
		return true, nil
	case "0":
		return false, nil
	default:
		return false, fmt.Errorf("%s=%q: want 1 (every device), 0 (none) or unset (every device but the CPU)", PlacementEnv, s)
	}
}

package zsic

import (
	"context"
	"fmt"
	"os"

	"github.com/zsic/zsic/zsic/hub"
)

// ModelRef names a model to load: a folder or a Hub id, a tower variant,
// and tower files that override the folder's.
type ModelRef struct {
	// Path is a model folder, or a Hugging Face Hub model id (org/name) when
	// no such folder exists. It may be empty when Towers names both roles.
	Path string
	// Revision is the Hub revision of a Hub id; "" means "main".
	Revision string
	// Variant is the tower variant, one of Variants().
	Variant string
	// Towers overrides the folder's tower files, role by role.
	Towers Towers
}

// Resolve finds the model ref names and loads it with LoadModel. A Path
// that exists is read as a local folder; else a Path of the form org/name
// is a Hub id, whose configs, tokenizer and towers for ref.Variant are
// fetched into the Hub cache of hc (hub.FromEnv() when nil), or read from
// it when offline.
func Resolve(ctx context.Context, ref ModelRef, hc *hub.Client) (*Model, error) {
	dir := ref.Path
	if dir != "" {
		if _, err := os.Stat(dir); err != nil {
			if !hub.IsRepoID(dir) {
				return nil, fmt.Errorf("model folder: %w", err)
			}
			if hc == nil {
				hc = hub.FromEnv()
			}
			rev := ref.Revision
			if rev == "" {
				rev = "main"
			}
			if dir, err = hc.Snapshot(ctx, hub.RepoModel, ref.Path, rev, ModelFiles(ref.Variant)); err != nil {
				return nil, err
			}
		}
	}
	return LoadModel(dir, ref.Towers, ref.Variant)
}

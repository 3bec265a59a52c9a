package zsic

import (
	"fmt"
	"io/fs"
	"strings"
)

// MissingTowerError reports a tower that could not be found: no file for
// its role in the model folder, or no folder and no file given.
type MissingTowerError struct {
	Role  Role     // the tower's role
	Dir   string   // the model folder; "" when none was given
	Tried []string // the paths looked for, in order; empty when Dir is ""
}

func (e *MissingTowerError) Error() string {
	if e.Dir == "" {
		return fmt.Sprintf("no model folder and no %s file", e.Role)
	}
	return fmt.Sprintf("model %s: no %s: looked for %s", e.Dir, e.Role, strings.Join(e.Tried, " and "))
}

// ConfigNotFoundError reports towers given without a model folder, and no
// config.json beside the text encoder or in its parent to find one by.
type ConfigNotFoundError struct {
	Tried []string // the config.json paths looked for
}

func (e *ConfigNotFoundError) Error() string {
	return fmt.Sprintf("no model folder given, and no config.json at %s", strings.Join(e.Tried, " or "))
}

// Unwrap makes the error match fs.ErrNotExist.
func (e *ConfigNotFoundError) Unwrap() error { return fs.ErrNotExist }

// ModelTypeError reports a config.json whose model_type zsic does not
// support.
type ModelTypeError struct {
	Config string // the config.json read
	Type   string // its model_type
}

func (e *ModelTypeError) Error() string {
	return fmt.Sprintf("model config %s: model_type %q is not supported: want one of %s", e.Config, e.Type, joinTypes())
}

// ImageError reports an image that could not be decoded or preprocessed.
type ImageError struct {
	Row  int    // the image's row in the source, or its index in Classify's input
	Path string // the image's path, when known
	Err  error  // the cause
}

func (e *ImageError) Error() string {
	return fmt.Sprintf("row %d%s: %v", e.Row, pathNote(e.Path), e.Err)
}

func (e *ImageError) Unwrap() error { return e.Err }

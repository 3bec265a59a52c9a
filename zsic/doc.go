// Package zsic classifies images zero-shot with dual-encoder models (CLIP,
// OpenCLIP, SigLIP) exported as two ONNX towers, and evaluates their accuracy
// on labelled datasets. It gives the scores Hugging Face's
// ZeroShotImageClassificationPipeline gives for the same towers, but encodes
// each label prompt once per run rather than once per image.
//
// The path through the library is:
//
//  1. Resolve a ModelRef (a model folder, or a Hub id fetched into the Hub
//     cache) to a Model, or LoadModel a folder directly;
//  2. NewRuntime, the value that owns the process's ONNX Runtime
//     environment (it also works inside a program that initialized ONNX
//     Runtime itself);
//  3. Open the Model on the Runtime with explicit Options;
//  4. EncodeLabels once, then Classify images, or Evaluate a Source of
//     labelled images (package dataset reads parquet files, image folders
//     and manifests as Sources).
//
// Classify, EmbedImages and Evaluate share one batched path: images are
// decoded and preprocessed in one goroutine while the previous batch runs
// through the image tower.
//
// # Concurrency
//
// A Runtime and a Classifier may be used from several goroutines at once:
// Classify, EmbedImages, EmbedTexts, EncodeLabels and Evaluate only read the
// Classifier's state, and ONNX Runtime sessions allow concurrent runs.
// Close must not overlap other calls; close Classifiers before their
// Runtime. A Source passed to Evaluate is read from one goroutine at a
// time, and is no longer in use when Evaluate returns.
//
// # Errors
//
// Errors a caller may act on are typed, for errors.As: *MissingTowerError,
// *ConfigNotFoundError, *ModelTypeError, *ImageError, *encoder.LibraryError
// (the ONNX Runtime library cannot be loaded), *encoder.ConflictError
// (another ONNX Runtime library is already loaded) and *encoder.DeviceError;
// ErrNoClasses for errors.Is. Messages name the
// files and values involved, never a command-line flag.
package zsic

// Package zsic classifies images zero-shot with dual-encoder models (CLIP,
// OpenCLIP, SigLIP) exported as two ONNX towers, and evaluates their accuracy
// on labelled datasets. It gives the scores Hugging Face's
// ZeroShotImageClassificationPipeline gives for the same towers, but encodes
// each label prompt once per run rather than once per image.
//
// A model is a Hugging Face-style folder (see LoadModel). Open it with Open,
// then Classify images or Evaluate a dataset.
package zsic

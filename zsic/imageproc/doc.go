// Package imageproc turns a decoded image into the float32 tensor a vision
// tower takes, as Hugging Face's slow CLIPImageProcessor and
// SiglipImageProcessor do: convert to RGB as PIL's convert("RGB") does,
// resize with Pillow's resampling filters (bit-exact with Pillow's 8-bit
// fixed-point code), center crop, rescale and normalize with the float
// arithmetic of HF's numpy code, all driven by a preprocessor_config.json.
package imageproc

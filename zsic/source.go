package zsic

import (
	"errors"

	"github.com/zsic/zsic/zsic/tokenizer"
)

// Sample is one labelled image of a Source.
type Sample struct {
	// Row is the row index in the whole dataset.
	Row int
	// Image holds the encoded image bytes (PNG, JPEG, ...).
	Image []byte
	// Path is the image's path: the file for folders and manifests, the
	// stored path (possibly "") for parquet.
	Path string
	// Label is the class id as the dataset stores it: -1 when the row has
	// none (a null, or Hugging Face's -1), any other value as it is, so
	// that a bad label can be reported as it is.
	Label int
	// Err, when not nil, says why the row could not be read: a missing or
	// unreadable file, a null image, corrupt parquet bytes. Image is then
	// nil. Read goes on with the next row; the caller counts the row as a
	// failure or stops.
	Err error
}

// Source is what Evaluate reads: labelled images by row. Package dataset
// implements it for parquet files, image folders and manifests.
type Source interface {
	// Read calls fn for each of rows (ascending, distinct, in range) in
	// ascending order, holding only a few images in memory at a time. A
	// row that cannot be read reaches fn with Sample.Err set. Read stops
	// at and returns the first error from fn, or one that ends the whole
	// read (rows out of range, a closed dataset).
	Read(rows []int, fn func(Sample) error) error
}

// Tokenizer turns a prompt into the token ids of a text encoder. Package
// tokenizer implements it for CLIP's BPE and SentencePiece.
type Tokenizer interface {
	// Encode returns the ids of text with the model's special tokens,
	// truncated to Padding().MaxLength while keeping the end token.
	Encode(text string) []int64
	// Padding says how a batch of encoded texts is padded.
	Padding() tokenizer.Padding
}

// ErrNoClasses reports an evaluation without class names.
var ErrNoClasses = errors.New("no class names")

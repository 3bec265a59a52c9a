// Package regress is zsic's golden accuracy suite: it evaluates each model
// of a fixed list of cases (fixture models, random-weight twins of the seed
// models, and the real seed models when present) on a pinned CIFAR-100
// sample through the same pipeline as `zsic eval`, and compares the
// outcome with a golden file written by an earlier run.
//
// A comparison (Compare) checks top-1 and top-5 accuracy against a band
// whose width follows from the sample's binomial error, and the share of
// samples whose top-1 label is unchanged against a floor; its Report reads
// as a failure message. Paired statistics (Pair, McNemar) measure how a
// quantized model differs from its fp32 original on the same samples.
//
// The tests in this package run every case; `go test ./regress -update`
// (make golden) rewrites the goldens from a real run.
package regress

// Package testenv finds the data and libraries that zsic's tests need, and
// fails a test with a message that says how to provide what is missing.
package testenv

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/zsic/zsic/internal/cache"
	"github.com/zsic/zsic/zsic/ortlib"
)

// Root returns the repository root: the nearest folder above the working
// directory that holds go.mod.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("testenv: no go.mod above the working directory")
		}
		dir = parent
	}
}

// DataFile returns the path of rel (e.g. "tokenizers/clip/vocab.json") in the
// first data folder that has it (see cache.DataDirs), or fails the test
// saying where it looked.
func DataFile(t testing.TB, rel string) string {
	t.Helper()
	p, err := cache.FindData(Root(t), rel)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return p
}

// CIFAR100 returns the CIFAR-100 test parquet: $ZSIC_CIFAR100 if set, else
// cifar100/test.parquet in the data folders.
func CIFAR100(t testing.TB) string {
	t.Helper()
	p, err := cache.CIFAR100(Root(t))
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return p
}

// ORTLibrary returns the ONNX Runtime shared library the tests load
// (ortlib.Default), or fails the test saying how to install it.
func ORTLibrary(t testing.TB) string {
	t.Helper()
	p := ortlib.Default()
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("testenv: ONNX Runtime library: %v: run `make setup`, or set %s to a libonnxruntime shared library", err, ortlib.EnvVar)
	}
	return p
}

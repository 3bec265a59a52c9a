// Command zsic-setup installs what zsic's tests need on this machine (it is
// what `make setup` runs): the system packages, ONNX Runtime's shared library
// from the npm package onnxruntime-node, checked against a pinned SHA-256
// and cached under the user cache folder, the Go modules and the shared
// data. It runs on Linux, macOS and Windows: `go run ./cmd/zsic-setup`.
//
// With -platform GOOS/GOARCH it only fetches the runtime of that platform
// (for cross checks, e.g. windows/amd64 under Wine) and prints the library's
// path; with -find REL it prints where the shared data file REL is.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/zsic/zsic/internal/cache"
	"github.com/zsic/zsic/internal/ortdist"
	"github.com/zsic/zsic/internal/setup"
)

func main() {
	version := flag.String("ort", ortdist.Version, "ONNX Runtime `version` to install (pinned: "+strings.Join(ortdist.Versions(), ", ")+")")
	platform := flag.String("platform", "", "only fetch the ONNX Runtime of `GOOS/GOARCH` into the cache and print its path")
	cross := flag.Bool("cross", false, "also install the system packages `make cross` needs")
	printVersion := flag.Bool("print-version", false, "only print the pinned ONNX Runtime version")
	find := flag.String("find", "", "only print the path of the shared data file `REL` (e.g. cifar100/test.parquet)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: zsic-setup [-ort VERSION] [-cross] [-platform GOOS/GOARCH] [-find REL]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *printVersion {
		fmt.Println(ortdist.Version)
		return
	}
	if *find != "" {
		root, _ := os.Getwd()
		p, err := cache.FindData(root, *find)
		if err != nil {
			fmt.Fprintf(os.Stderr, "setup: %v\n", err)
			os.Exit(1)
		}
		fmt.Println(p)
		return
	}
	if err := run(ctx, *version, *platform, *cross); err != nil {
		fmt.Fprintf(os.Stderr, "setup: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, version, platform string, cross bool) error {
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	s := &setup.Setup{Root: root, Log: os.Stderr}
	if platform != "" {
		goos, goarch, ok := strings.Cut(platform, "/")
		if !ok {
			return fmt.Errorf("-platform %q: want GOOS/GOARCH, e.g. windows/amd64", platform)
		}
		b, err := ortdist.Lookup(version, goos, goarch)
		if err != nil {
			return err
		}
		lib, err := s.Runtime(ctx, b, b.Dir())
		if err != nil {
			return err
		}
		fmt.Println(lib)
		return nil
	}
	opt := setup.Options{Version: version}
	if cross {
		opt.Groups = append(opt.Groups, setup.GroupCross)
	}
	if _, err := os.Stat("go.mod"); err != nil {
		return fmt.Errorf("run zsic-setup in the repository root (no go.mod in %s)", root)
	}
	return s.Run(ctx, opt)
}

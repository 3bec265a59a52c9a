//go:build unix

// Command jpegbench times zsic's JPEG decoding and CLIP preprocessing of one
// file for scripts/bench_jpeg.py, which alternates it with Pillow in small
// steps. Each line "decode N" or "clip N" on stdin runs N images and prints
// the median CPU time per image (the process's user+system time, in
// nanoseconds; Linux); "decoder" prints imageproc.JPEGDecoder.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"syscall"
	"time"

	"github.com/zsic/zsic/zsic/imageproc"
)

func main() {
	jpeg := flag.String("jpeg", "", "the JPEG `file` to time")
	config := flag.String("config", "", "the CLIP preprocessor_config.json `file`")
	flag.Parse()
	data, err := os.ReadFile(*jpeg)
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := imageproc.LoadConfig(*config, imageproc.ModelCLIP)
	if err != nil {
		log.Fatal(err)
	}
	p := cfg.NewPreprocessor()
	dst := make([]float32, 3*224*224)
	steps := map[string]func() error{
		"decode": func() error {
			img, err := imageproc.Decode(data)
			if err == nil {
				_ = imageproc.ToRGB(img)
			}
			return err
		},
		"clip": func() error {
			img, err := imageproc.Decode(data)
			if err != nil {
				return err
			}
			return p.Preprocess(img, dst)
		},
	}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		var step string
		var n int
		if in.Text() == "decoder" {
			fmt.Println(imageproc.JPEGDecoder())
			continue
		}
		if _, err := fmt.Sscan(in.Text(), &step, &n); err != nil || steps[step] == nil || n < 1 {
			log.Fatalf("bad command %q: want decode N, clip N or decoder", in.Text())
		}
		ts := make([]time.Duration, n)
		for i := range ts {
			t := cpuTime()
			if err := steps[step](); err != nil {
				log.Fatal(err)
			}
			ts[i] = cpuTime() - t
		}
		slices.Sort(ts)
		fmt.Println(ts[n/2].Nanoseconds())
	}
}

// cpuTime returns the CPU time this process has used, all threads.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		log.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

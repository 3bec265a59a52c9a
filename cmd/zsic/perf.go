package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/zsic/zsic/internal/rusage"
	"github.com/zsic/zsic/zsic"
	runreport "github.com/zsic/zsic/zsic/report"
)

// newTimings fills the timings of a run that took wall and used u.
func newTimings(res *zsic.Result, wall time.Duration, u rusage.Usage) runreport.Timings {
	n := float64(max(res.Samples, 1))
	cores := zsic.Cores()
	t := res.Timings
	return runreport.Timings{
		TextEncodeS:    res.TextEncode.Seconds(),
		ImageEncodeS:   res.ImageEncode.Seconds(),
		PerImageMS:     ms(res.PerImage()),
		WallS:          wall.Seconds(),
		WallPerImageMS: 1000 * wall.Seconds() / n,
		Stages: runreport.Stages{
			ReadS: t.Read.Seconds(), DecodeS: t.Decode.Seconds(), PreprocessS: t.Preprocess.Seconds(),
			ImageTowerS: t.ImageTower.Seconds(), TextTowerS: t.TextTower.Seconds(), ScoringS: t.Scoring.Seconds(),
		},
		CPUS:          u.CPU.Seconds(),
		CPUPerImageMS: 1000 * u.CPU.Seconds() / n,
		CPUUsePercent: 100 * u.CPU.Seconds() / max(wall.Seconds(), 1e-9) / float64(cores),
		PeakRSSMiB:    float64(u.PeakRSS) / (1 << 20),
		Cores:         cores,
		Threads:       res.Threads,
		Workers:       res.Workers,
		Streams:       res.Streams,
	}
}

// startProfile starts a Go CPU profile written to path ("" for none) and
// returns the function that stops and closes it (once; later calls do
// nothing).
func startProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("--profile %s: %w", path, err)
	}
	stopped := false
	return func() error {
		if stopped {
			return nil
		}
		stopped = true
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("--profile %s: %w", path, err)
		}
		return nil
	}, nil
}

package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/zsic/zsic/internal/rusage"
	"github.com/zsic/zsic/zsic"
)

// reportTimings is the "timings" object of the JSON report: where the run's
// time went, stage by stage, and what it cost the machine. It stands alone,
// so a report schema can take it as it is.
type reportTimings struct {
	// TextEncodeS is embedding the prompts (the text tower stage).
	TextEncodeS float64 `json:"text_encode_s"`
	// ImageEncodeS is the image phase: reading, decoding, preprocessing,
	// the image tower and scoring, overlapped.
	ImageEncodeS float64 `json:"image_encode_s"`
	// PerImageMS is ImageEncodeS per scored image.
	PerImageMS float64 `json:"per_image_ms"`
	// WallS is the whole evaluation, prompts included, and
	// WallPerImageMS the same per scored image.
	WallS          float64 `json:"wall_s"`
	WallPerImageMS float64 `json:"wall_per_image_ms"`
	// Stages adds up each stage's own time over every goroutine that ran
	// it, in seconds: with several workers, decode and preprocess can
	// exceed the wall time.
	Stages reportStages `json:"stages"`
	// CPUS is the process's CPU time (user + system, every thread) during
	// the evaluation; CPUPerImageMS the same per scored image; CPUUsePercent
	// is CPUS over the wall time and the cores, 100 when every core was busy
	// throughout.
	CPUS          float64 `json:"cpu_s"`
	CPUPerImageMS float64 `json:"cpu_per_image_ms"`
	CPUUsePercent float64 `json:"cpu_use_percent"`
	// PeakRSSMiB is the process's peak resident memory (0 where the
	// platform does not report it).
	PeakRSSMiB float64 `json:"peak_rss_mib"`
	// Cores, Threads and Workers are the cores the process could use, the
	// intra-op threads of each tower and the decode/preprocess workers.
	Cores   int `json:"cores"`
	Threads int `json:"threads"`
	Workers int `json:"workers"`
	// The cold start apart from the warm runs (zsic.TowerStats): OpenS
	// creates both sessions (graph partitioning and compilation for the
	// execution provider); ImageTowerColdMS is the image tower's first run,
	// of ImageTowerColdBatch images; ImageTowerWarmPerImgMS its later runs
	// per image, the device's per-image latency once warm.
	OpenS                  float64 `json:"open_s"`
	ImageTowerColdMS       float64 `json:"image_tower_cold_ms"`
	ImageTowerColdBatch    int     `json:"image_tower_cold_batch"`
	ImageTowerWarmPerImgMS float64 `json:"image_tower_warm_per_image_ms"`
}

// reportStages are the stage totals, in seconds.
type reportStages struct {
	ReadS       float64 `json:"read_s"`
	DecodeS     float64 `json:"decode_s"`
	PreprocessS float64 `json:"preprocess_s"`
	ImageTowerS float64 `json:"image_tower_s"`
	TextTowerS  float64 `json:"text_tower_s"`
	ScoringS    float64 `json:"scoring_s"`
}

// newTimings fills the timings of a run that took wall and used u.
func newTimings(res *zsic.Result, wall time.Duration, u rusage.Usage) reportTimings {
	n := float64(max(res.Samples, 1))
	cores := zsic.Cores()
	t := res.Timings
	return reportTimings{
		TextEncodeS:    res.TextEncode.Seconds(),
		ImageEncodeS:   res.ImageEncode.Seconds(),
		PerImageMS:     ms(res.PerImage()),
		WallS:          wall.Seconds(),
		WallPerImageMS: 1000 * wall.Seconds() / n,
		Stages: reportStages{
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

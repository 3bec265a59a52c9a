package dataset

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Select returns the rows to read from a dataset of total rows: the first n,
// or with shuffle a sample of n drawn with seed (the same for a given total,
// n and seed on every platform and Go release), ascending. n <= 0 means all
// rows.
func Select(total, n int, shuffle bool, seed int64) ([]int, error) {
	if total < 0 {
		return nil, fmt.Errorf("select rows: dataset size %d is negative", total)
	}
	if n > total {
		return nil, fmt.Errorf("select rows: %d samples asked but the dataset has only %d rows", n, total)
	}
	if n <= 0 {
		n = total
	}
	rows := make([]int, total)
	for i := range rows {
		rows[i] = i
	}
	if !shuffle || n == total {
		return rows[:n], nil
	}
	// A partial Fisher-Yates shuffle driven by PCG, whose output is fixed
	// by its specification (unlike rand.Shuffle's algorithm).
	r := rand.NewPCG(uint64(seed), 0x7a736963) // "zsic"
	for i := 0; i < n; i++ {
		j := i + below(r, total-i)
		rows[i], rows[j] = rows[j], rows[i]
	}
	rows = rows[:n]
	slices.Sort(rows)
	return rows, nil
}

// below returns a uniform integer in [0, n) by rejection sampling.
func below(r *rand.PCG, n int) int {
	u := uint64(n)
	limit := ^uint64(0) - (^uint64(0)%u+1)%u // largest multiple of u, minus 1
	for {
		if v := r.Uint64(); v <= limit {
			return int(v % u)
		}
	}
}

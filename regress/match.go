package regress

// pairing is the result of matching two lists of records by pixel hash.
type pairing struct {
	pairs      [][2]Record // matched records: first, second
	onlyFirst  []Record    // records of the first list with no match
	onlySecond []Record    // records of the second list with no match
}

// match pairs the records of first and second that show the same image:
// equal Pixels, in order when an image occurs more than once.
func match(first, second []Record) pairing {
	var p pairing
	byPixels := make(map[string][]int, len(second))
	for i, r := range second {
		byPixels[r.Pixels] = append(byPixels[r.Pixels], i)
	}
	used := make([]bool, len(second))
	for _, r := range first {
		idx := byPixels[r.Pixels]
		if len(idx) == 0 {
			p.onlyFirst = append(p.onlyFirst, r)
			continue
		}
		byPixels[r.Pixels] = idx[1:]
		used[idx[0]] = true
		p.pairs = append(p.pairs, [2]Record{r, second[idx[0]]})
	}
	for i, r := range second {
		if !used[i] {
			p.onlySecond = append(p.onlySecond, r)
		}
	}
	return p
}

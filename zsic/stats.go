package zsic

import "github.com/zsic/zsic/zsic/encoder"

// TowerStats splits a tower's time into opening its session, its first
// (cold) run and its later (warm) runs; see encoder.RunStats.
type TowerStats = encoder.RunStats

// stater is a tower that records its TowerStats.
type stater interface{ Stats() TowerStats }

// TowerStats returns the image and the text tower's cold and warm times
// since Open: what a device costs to start (session creation, EP
// compilation, the first run) apart from what it costs per image once
// warm. A tower that does not record them gives zero TowerStats.
func (c *Classifier) TowerStats() (image, text TowerStats) {
	if s, ok := c.image.(stater); ok {
		image = s.Stats()
	}
	if s, ok := c.text.(stater); ok {
		text = s.Stats()
	}
	return image, text
}

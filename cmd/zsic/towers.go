package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/zsic/zsic/zsic"
)

// rolesList lists the valid roles for a message.
func rolesList() string {
	var s []string
	for _, r := range zsic.Roles() {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}

// parseTowers reads the values of repeated `-m` flags: either one bare path,
// a model folder, or role=path pairs naming towers (which override the
// folder's). It checks every rule before anything loads: no unknown or
// duplicate role, no empty path, no file that does not exist, and no bare
// path mixed with pairs.
func parseTowers(args []string) (dir string, towers zsic.Towers, err error) {
	towers = zsic.Towers{}
	var bare []string
	for _, a := range args {
		role, path, ok := strings.Cut(a, "=")
		if !ok {
			bare = append(bare, a)
			continue
		}
		r := zsic.Role(role)
		switch {
		case !slices.Contains(zsic.Roles(), r):
			return "", nil, fmt.Errorf("-m %s: unknown role %q (valid roles: %s)", a, role, rolesList())
		case towers[r] != "":
			return "", nil, fmt.Errorf("-m %s: role %s given twice (valid roles: %s, each once)", a, role, rolesList())
		case path == "":
			return "", nil, fmt.Errorf("-m %s: empty path for role %s (want -m %s=PATH; valid roles: %s)", a, role, role, rolesList())
		}
		if _, err := os.Stat(path); err != nil {
			return "", nil, fmt.Errorf("-m %s: %s file: %w", a, role, err)
		}
		towers[r] = path
	}
	switch {
	case len(bare) > 0 && len(towers) > 0:
		return "", nil, fmt.Errorf("-m %s: a bare path (a model folder) cannot be mixed with role=path pairs; give either -m DIR or -m ROLE=PATH for each of %s", bare[0], rolesList())
	case len(bare) > 1:
		return "", nil, fmt.Errorf("-m %s: more than one bare path; give one model folder, or -m ROLE=PATH for each of %s", bare[1], rolesList())
	case len(bare) == 1:
		if bare[0] == "" {
			return "", nil, fmt.Errorf("-m: empty path (want a model folder or ROLE=PATH; valid roles: %s)", rolesList())
		}
		return bare[0], nil, nil
	}
	return "", towers, nil
}

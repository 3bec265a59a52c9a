package hub

import (
	"regexp"
	"strings"
)

// repoIDRE is the form of a Hub repository id: an owner and a name of
// letters, digits, '-', '_' and '.', joined by one '/'.
var repoIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$`)

// IsRepoID reports whether s has the form of a Hub repository id
// ("org/name"). Callers that also accept local paths should look for the
// path first: "data/test" is both.
func IsRepoID(s string) bool {
	return repoIDRE.MatchString(s) && !strings.Contains(s, "..") && !strings.HasSuffix(s, ".")
}

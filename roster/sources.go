package roster

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// SourceFields are the names a source delivers its records' values under:
// the names a mapping rule may read.
type SourceFields struct {
	// Source names the source in messages, e.g. "merge".
	Source string
	// Names are the values it delivers.
	Names []string
	// Prefixes begin families of names it delivers, e.g. "custom.".
	Prefixes []string
}

// supplies reports whether the source delivers a value named name.
func (s SourceFields) supplies(name string) bool {
	return slices.Contains(s.Names, name) ||
		slices.ContainsFunc(s.Prefixes, func(p string) bool { return len(name) > len(p) && strings.HasPrefix(name, p) })
}

// CheckSources refuses every mapping rule that reads a name the source does
// not deliver, which would leave its target empty for everyone. All
// problems are returned at once, each naming its config path and, when one
// is close, the name that was probably meant.
func (r Rules) CheckSources(src SourceFields) error {
	var errs []error
	for i, m := range r.Mapping {
		for j, from := range m.From {
			if strings.TrimSpace(from) == "" || src.supplies(from) {
				continue // an empty name is Check's to report
			}
			path := fmt.Sprintf("mapping[%d].from", i)
			if len(m.From) > 1 {
				path += fmt.Sprintf("[%d]", j)
			}
			msg := fmt.Sprintf("%s: %q is not a field %s supplies", path, from, src.Source)
			if near := closest(from, src.Names); near != "" {
				msg += fmt.Sprintf("; did you mean %q?", near)
			} else {
				msg += "; it supplies " + strings.Join(slices.Sorted(slices.Values(src.Names)), ", ")
			}
			errs = append(errs, errors.New(msg))
		}
	}
	return errors.Join(errs...)
}

// closest returns the name nearest to s by edit distance, ignoring case,
// when it is near enough to be a slip of the keyboard; "" when none is.
func closest(s string, names []string) string {
	best, bestDist := "", max(len(s)/3, 1)+1
	for _, n := range slices.Sorted(slices.Values(names)) {
		if d := editDistance(strings.ToLower(s), strings.ToLower(n)); d < bestDist {
			best, bestDist = n, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes: how
// many insertions, deletions and substitutions turn one into the other.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, sub)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

package roster

import "strings"

// Digest turns an identity value into a keyed digest: a list of
// "<key id>:<digest>" pairs joined by commas, one per key the caller
// holds, the current key first. The keys stay with the caller; roster only
// compares what comes back.
type Digest func(value string) string

// DigestsDateOfBirth reports whether the date of birth is kept as a digest:
// the privacy check compares it, but it is not synced.
func (r Rules) DigestsDateOfBirth() bool {
	return !r.Selected(FieldDateOfBirth) && r.Privacy.Threshold >= 0
}

// canonicalDate writes a date value as YYYY-MM-DD when it reads in the
// field's format, so a digest does not change with the source's notation;
// a value that does not read is digested as it stands.
func (r Rules) canonicalDate(f Field, value string) string {
	format, err := ParseDateFormat(r.dateFormatName(f))
	if err != nil {
		return value
	}
	d, err := format.Parse(value)
	if err != nil {
		return value
	}
	return d.String()
}

// SameDigest compares two digests by a key both were made with. known is
// false when either is empty or they share no key — after a key was
// retired, say — and then same means nothing.
func SameDigest(a, b string) (same, known bool) {
	if a == "" || b == "" {
		return false, false
	}
	for _, pa := range strings.Split(a, ",") {
		idA, valA, ok := strings.Cut(pa, ":")
		if !ok {
			continue
		}
		for _, pb := range strings.Split(b, ",") {
			if idB, valB, ok := strings.Cut(pb, ":"); ok && idA == idB {
				return valA == valB, true
			}
		}
	}
	return false, false
}

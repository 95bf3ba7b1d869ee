package scimtest

import (
	"net/http"
	"strconv"
	"strings"
)

// formatVersion is version n as a weak entity tag, the form of meta.version
// and the ETag header.
func formatVersion(n int64) string { return `W/"` + strconv.FormatInt(n, 10) + `"` }

// opaqueTag strips the weakness prefix of an entity tag: SCIM compares
// versions weakly, also for If-Match (RFC 7644 §3.14).
func opaqueTag(tag string) string {
	return strings.TrimPrefix(strings.TrimSpace(tag), "W/")
}

// tagsMatch reports whether an If-Match or If-None-Match header value (a
// list of entity tags, or *) names version.
func tagsMatch(header, version string) bool {
	want := opaqueTag(version)
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || (t != "" && opaqueTag(t) == want) {
			return true
		}
	}
	return false
}

// preconditionFailed is the error of a write whose If-Match (or Bulk
// version) names a version the resource no longer has.
func preconditionFailed() *scimError {
	return errorf(http.StatusPreconditionFailed, "", "Failed to update. Resource changed on the server.")
}

// checkIfMatch fails with 412 when ifMatch is set and does not name the
// record's version.
func checkIfMatch(ifMatch string, r *record) error {
	if strings.TrimSpace(ifMatch) == "" || tagsMatch(ifMatch, r.etag()) {
		return nil
	}
	return preconditionFailed()
}

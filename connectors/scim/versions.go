package scim

import (
	"net/http"
	"sync"
)

// maxVersions bounds the version cache; when full it starts over, which
// only costs a GET per user.
const maxVersions = 4096

// versionCache remembers the version (ETag) of the users hrsync last read
// or wrote, so a conditional PATCH need not GET the user first.
type versionCache struct {
	mu sync.Mutex
	m  map[string]string
}

// get returns the version remembered for user id, "" when none.
func (v *versionCache) get(id string) string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.m[id]
}

// put remembers version for user id; "" forgets it.
func (v *versionCache) put(id, version string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if version == "" {
		delete(v.m, id)
		return
	}
	if v.m == nil || len(v.m) >= maxVersions {
		v.m = make(map[string]string)
	}
	v.m[id] = version
}

// remember keeps the version of user id an answer carried: its ETag
// header, else the meta.version of the resource it returned. An answer
// with neither forgets the version, which is stale after a write.
func (c *Client) remember(id string, h http.Header, r resource) {
	version := trimVersion(h)
	if version == "" {
		version = r.version()
	}
	c.versions.put(id, version)
}

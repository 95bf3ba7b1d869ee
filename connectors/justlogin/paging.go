package justlogin

import "encoding/json"

// pagination is the JSON of the x-pagination response header.
type pagination struct {
	TotalCount  int   `json:"TotalCount"`
	PageSize    int   `json:"PageSize"`
	CurrentPage int   `json:"CurrentPage"`
	TotalPages  int   `json:"TotalPages"`
	HasNext     *bool `json:"HasNext"`
	HasPrevious *bool `json:"HasPrevious"`
}

// hasNext reports whether a page follows page, which held n users of the
// limit asked. The x-pagination header decides (HasNext, else CurrentPage
// against TotalPages); without a readable header a full page means there
// may be more and a short one is the last. An empty page always ends the
// walk, so a wrong header cannot loop forever.
func hasNext(header string, page, n, limit int) bool {
	if n == 0 {
		return false
	}
	var p pagination
	if header != "" && json.Unmarshal([]byte(header), &p) == nil {
		if p.HasNext != nil {
			return *p.HasNext
		}
		if p.TotalPages > 0 {
			return page < p.TotalPages
		}
	}
	return n >= limit
}

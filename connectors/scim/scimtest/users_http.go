package scimtest

import (
	"net/http"
)

// tooLargeBody is the detail of a 413 for a request other than /Bulk.
const tooLargeBody = "The request body exceeds 1048576 bytes."

// readObject reads a request body that must be one JSON object.
func readObject(r *http.Request) (map[string]any, error) {
	b, err := readBody(r, maxBody, tooLargeBody)
	if err != nil {
		return nil, err
	}
	return decodeObject(b)
}

// ifMatch is the request's If-Match header, "" while ETags are off.
func (s *Server) ifMatch(r *http.Request) string {
	if !s.etagsOn.Load() {
		return ""
	}
	return r.Header.Get("If-Match")
}

// writeUser answers with rec as served, its ETag, and the projection the
// request's attributes and excludedAttributes ask for.
func (s *Server) writeUser(w http.ResponseWriter, r *http.Request, status int, rec *record, base string) {
	proj := projectionFromQuery(r.URL.Query())
	if s.etagsOn.Load() {
		w.Header().Set("ETag", rec.etag())
	}
	writeJSON(w, status, proj.apply(s.render(rec, base)))
}

// handleCreate answers POST /Users.
func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request, base string) {
	body, err := readObject(r)
	if err != nil {
		writeError(w, err)
		return
	}
	rec, err := s.createUser(r.Context(), base, body)
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Location", base+"/Users/"+rec.ID)
	s.writeUser(w, r, http.StatusCreated, rec, base)
}

// handleUser answers GET, PUT, PATCH and DELETE on /Users/{id}.
func (s *Server) handleUser(w http.ResponseWriter, r *http.Request, base, id string) {
	var (
		rec *record
		err error
	)
	switch r.Method {
	case http.MethodGet:
		if rec, err = s.getUser(r.Context(), id); err != nil {
			break
		}
		if inm := r.Header.Get("If-None-Match"); s.etagsOn.Load() && inm != "" && tagsMatch(inm, rec.etag()) {
			w.Header().Set("ETag", rec.etag())
			w.WriteHeader(http.StatusNotModified)
			return
		}
	case http.MethodPut:
		var body map[string]any
		if body, err = readObject(r); err == nil {
			rec, err = s.replaceUser(r.Context(), base, id, s.ifMatch(r), body)
		}
	case http.MethodPatch:
		if !s.patchOn.Load() {
			err = errorf(http.StatusNotImplemented, "", "PATCH is not supported (see ServiceProviderConfig patch.supported); use PUT")
			break
		}
		var body map[string]any
		if body, err = readObject(r); err == nil {
			rec, err = s.patchUser(r.Context(), base, id, s.ifMatch(r), body)
		}
	case http.MethodDelete:
		if err = s.deleteUser(r.Context(), id, s.ifMatch(r)); err == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	if err != nil {
		writeError(w, err)
		return
	}
	s.writeUser(w, r, http.StatusOK, rec, base)
}

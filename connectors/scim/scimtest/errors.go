package scimtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// The scimType error codes of RFC 7644 §3.12.
const (
	errInvalidFilter = "invalidFilter"
	errTooMany       = "tooMany"
	errUniqueness    = "uniqueness"
	errMutability    = "mutability"
	errInvalidSyntax = "invalidSyntax"
	errInvalidPath   = "invalidPath"
	errNoTarget      = "noTarget"
	errInvalidValue  = "invalidValue"
)

// scimError is a failure answered as an Error message (RFC 7644 §3.12).
type scimError struct {
	status   int
	scimType string
	detail   string
}

// Error returns the detail.
func (e *scimError) Error() string { return e.detail }

// errorf builds a scimError; scimType may be "".
func errorf(status int, scimType, format string, args ...any) *scimError {
	return &scimError{status: status, scimType: scimType, detail: fmt.Sprintf(format, args...)}
}

// badRequest is a 400 with the given scimType.
func badRequest(scimType, format string, args ...any) *scimError {
	return errorf(http.StatusBadRequest, scimType, format, args...)
}

// asSCIM returns err as a scimError, a 500 when it is not one.
func asSCIM(err error) *scimError {
	var se *scimError
	if errors.As(err, &se) {
		return se
	}
	return errorf(http.StatusInternalServerError, "", "internal error: %v", err)
}

// body is the Error message of e.
func (e *scimError) body() map[string]any {
	m := map[string]any{"schemas": []string{errorSchema}, "status": strconv.Itoa(e.status), "detail": e.detail}
	if e.scimType != "" {
		m["scimType"] = e.scimType
	}
	return m
}

// contentType is the media type of every SCIM answer.
const contentType = "application/scim+json"

// writeJSON answers with v as SCIM JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(errorf(status, "", "encode answer: %v", err).body())
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError answers with err as an Error message.
func writeError(w http.ResponseWriter, err error) {
	e := asSCIM(err)
	writeJSON(w, e.status, e.body())
}

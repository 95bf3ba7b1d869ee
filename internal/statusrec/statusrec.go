// Package statusrec records the status an HTTP handler answered, for the
// request logs of the test servers.
package statusrec

import "net/http"

// Writer passes everything on to its ResponseWriter and remembers the
// status of the answer.
type Writer struct {
	http.ResponseWriter
	code int
}

// WriteHeader records the status and passes it on.
func (w *Writer) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200 and passes the bytes on.
func (w *Writer) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Status is the answered status; 200 when the handler wrote nothing.
func (w *Writer) Status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

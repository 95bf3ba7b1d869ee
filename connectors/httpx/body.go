package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"

	"github.com/hrsync/hrsync/connectors"
)

// DefaultMaxBody bounds a 2xx answer when Options.MaxBody is 0.
const DefaultMaxBody = 32 << 20

// ErrorBodyLimit bounds how much of an error answer is read for its message.
const ErrorBodyLimit = 4 << 10

// DrainLimit bounds how much of an answer's unread rest is read before the
// body is closed, so a short rest leaves the connection reusable and a long
// one is cut off by closing it.
const DrainLimit = 64 << 10

// Drain reads at most DrainLimit bytes of body and closes it.
func Drain(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, DrainLimit))
	_ = body.Close()
}

// DecodeJSON decodes the single JSON value of a 2xx answer's body into out,
// reading it as a stream and never more than limit+1 bytes. prefix names
// the API and the request, e.g. "merge: GET /api/hris/v1/employees", and
// starts every message. contentType is the answer's Content-Type, named
// when the body is not JSON.
//
// A body larger than limit, one that is not JSON, is cut short or has
// anything but spaces after its value, or does not fit out, is a permanent
// error: the same request gets the same answer. A failure to read the body
// (the connection dropped, the context ended) is a plain, retryable error.
// No message quotes the body.
func DecodeJSON(prefix string, body io.Reader, limit int64, contentType string, out any) error {
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	r := &countingReader{r: io.LimitReader(body, limit+1)}
	dec := json.NewDecoder(r)
	err := dec.Decode(out)
	trailing := false
	if err == nil {
		// Anything after the value must be spaces up to the end.
		if _, terr := dec.Token(); terr == nil {
			trailing = true
		} else if !errors.Is(terr, io.EOF) {
			err = terr
		}
	}
	switch {
	case r.n > limit:
		return connectors.Permanent(&BodyError{Msg: fmt.Sprintf("%s: the answer is larger than %s", prefix, Size(limit))})
	case r.err != nil:
		return fmt.Errorf("%s: reading the answer: %w", prefix, r.err)
	case trailing:
		return connectors.Permanent(&BodyError{Msg: fmt.Sprintf("%s: the answer has more after its JSON value", prefix)})
	case err == nil:
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return connectors.Permanent(&BodyError{Err: err,
			Msg: fmt.Sprintf("%s: the answer is not in the expected shape (a %s where %s was expected at %q)",
				prefix, jsonKind(typeErr.Value), typeErr.Type, typeErr.Field)})
	}
	return connectors.Permanent(&BodyError{Err: err,
		Msg: fmt.Sprintf("%s: the answer is not valid JSON%s", prefix, describeType(contentType))})
}

// BodyError is a 2xx answer that cannot be used. Its message names the
// request and the problem but never quotes the body; Err is the decoder's
// error, kept for errors.As.
type BodyError struct {
	Msg string
	Err error
}

func (e *BodyError) Error() string { return e.Msg }
func (e *BodyError) Unwrap() error { return e.Err }

// Size spells a byte count the way limits are set: "32 MiB", "64 KiB".
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// describeType names a Content-Type that is not JSON, e.g. " (text/html)".
func describeType(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || mt == "application/json" {
		return ""
	}
	return " (" + mt + ")"
}

// jsonKind keeps the kind of an UnmarshalTypeError's value ("number",
// "string") and drops any literal it carries, which could be personal data.
func jsonKind(v string) string {
	for i := range len(v) {
		if v[i] == ' ' {
			return v[:i]
		}
	}
	return v
}

// countingReader counts the bytes read and keeps the first read error
// other than io.EOF, which is the transport's, not the body's.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && !errors.Is(err, io.EOF) && c.err == nil {
		c.err = err
	}
	return n, err
}

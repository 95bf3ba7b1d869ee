package demo

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/httpx"
)

// endless yields prefix and then repeats pattern for ever, without
// allocating.
type endless struct {
	prefix, pattern string
	off             int64
}

func (e *endless) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		var c int
		if e.off < int64(len(e.prefix)) {
			c = copy(p[n:], e.prefix[e.off:])
		} else {
			c = copy(p[n:], e.pattern[(e.off-int64(len(e.prefix)))%int64(len(e.pattern)):])
		}
		n += c
		e.off += int64(c)
	}
	return n, nil
}

// countingTransport counts the body bytes the client takes.
type countingTransport struct {
	base http.RoundTripper
	n    atomic.Int64
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err == nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, n: &t.n}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

func TestClientRefusesAnAnswerLargerThanTheBound(t *testing.T) {
	const maxBody = 64 << 10
	done := make(chan int64, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		n, _ := io.Copy(w, io.LimitReader(&endless{prefix: `{"employees":[`, pattern: `{"id":"1"},`}, 1<<30))
		done <- n
	}))
	defer srv.Close()
	tr := &countingTransport{base: srv.Client().Transport}
	c := newClient(srv.URL, "", &http.Client{Transport: tr})
	c.maxBody = maxBody

	var out map[string]any
	err := c.do(context.Background(), http.MethodGet, "/api/employees", nil, nil, &out)
	require.True(t, connectors.IsPermanent(err), "%v", err)
	require.Equal(t, "permanent: demo: GET /api/employees: the answer is larger than 64 KiB", err.Error())

	// The bound, one byte to tell, and a bounded drain: never the gigabyte.
	require.LessOrEqual(t, tr.n.Load(), int64(maxBody+1+httpx.DrainLimit))
	select {
	case n := <-done:
		require.Less(t, n, int64(1<<30), "the server was cut off")
	case <-time.After(20 * time.Second):
		t.Fatal("the server is still writing: the connection was not closed")
	}

	require.Equal(t, int64(32<<20), newClient("http://x", "", nil).maxBody, "32 MiB unless lowered")
}

func TestClientRefusesAnAnswerThatIsNotJSON(t *testing.T) {
	for name, a := range map[string]struct{ contentType, body, want string }{
		"html from a proxy": {"text/html", "<html>Sign in, jane.doe@acme.example</html>",
			"permanent: demo: GET /api/employees: the answer is not valid JSON (text/html)"},
		"truncated json": {"application/json", `{"employees":[{"email":"jane.doe@acme.example"`,
			"permanent: demo: GET /api/employees: the answer is not valid JSON"},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", a.contentType)
				_, _ = io.WriteString(w, a.body)
			}))
			defer srv.Close()
			src := NewSource(SourceConfig{BaseURL: srv.URL})
			_, err := src.FetchPage(context.Background(), "")
			require.True(t, connectors.IsPermanent(err), "%v", err)
			require.Equal(t, a.want, err.Error())
			require.NotContains(t, err.Error(), "jane")
		})
	}
}

func TestClientRetriesAnAnswerCutShortByTheConnection(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "100")
		_, _ = io.WriteString(w, `{"employees":[`)
	}))
	defer srv.Close()
	err := newClient(srv.URL, "", nil).do(context.Background(), http.MethodGet, "/api/employees", nil, nil, &map[string]any{})
	require.Error(t, err)
	require.False(t, connectors.IsPermanent(err), "a dropped connection may not drop next time: %v", err)
}

func TestClientStillReadsErrorMessages(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error":"unknown field `+strings.Repeat("x", 10)+`"}`)
	}))
	defer srv.Close()
	err := newClient(srv.URL, "", nil).do(context.Background(), http.MethodGet, "/api/employees", nil, nil, nil)
	require.True(t, connectors.IsPermanent(err))
	require.ErrorContains(t, err, "400 Bad Request: unknown field xxxxxxxxxx")
}

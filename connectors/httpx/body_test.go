package httpx

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/internal/faultproxy"
)

// hugeServer streams prefix+pattern… up to 1 GiB and reports on done when
// the handler stops, which before the end means the client hung up.
func hugeServer(t *testing.T, prefix, pattern string) (*httptest.Server, <-chan int64) {
	t.Helper()
	done := make(chan int64, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		n, _ := io.Copy(w, io.LimitReader(faultproxy.Endless(prefix, pattern), 1<<30))
		done <- n
	}))
	t.Cleanup(srv.Close)
	return srv, done
}

func TestDoRefusesAnAnswerLargerThanMaxBody(t *testing.T) {
	const maxBody = 64 << 10
	for name, body := range map[string][2]string{
		"an endless array":               {`{"employees":[`, `{"a":1},`},
		"a value and then endless space": {`{"n":1}`, ` `},
		"an endless string":              {`{"n":"`, `x`},
	} {
		t.Run(name, func(t *testing.T) {
			srv, done := hugeServer(t, body[0], body[1])
			tr := &faultproxy.CountingTransport{Base: srv.Client().Transport}
			c := New(Options{Name: "merge", BaseURL: srv.URL, MaxBody: maxBody, HTTPClient: &http.Client{Transport: tr}})

			var out map[string]any
			_, err := c.Do(context.Background(), Request{Method: "GET", Path: "/api/hris/v1/employees"}, &out)
			require.Error(t, err)
			require.True(t, connectors.IsPermanent(err), "the same request gets the same answer")
			require.Contains(t, err.Error(), "merge: GET /api/hris/v1/employees: the answer is larger than 64 KiB")
			var be *BodyError
			require.True(t, errors.As(err, &be))

			// The client read the limit, at most one decoder buffer
			// more, and a bounded drain: never the gigabyte.
			t.Logf("client read %d bytes", tr.Read())
			require.LessOrEqual(t, tr.Read(), int64(maxBody+DrainLimit+64<<10))
			select {
			case n := <-done:
				require.Less(t, n, int64(1<<30), "the server was cut off, not read to the end")
			case <-time.After(20 * time.Second):
				t.Fatal("the server is still writing: the connection was not closed")
			}
		})
	}
}

func TestDoAcceptsAnAnswerUpToMaxBody(t *testing.T) {
	const maxBody = 64 << 10
	body := `{"n":"` + strings.Repeat("x", maxBody-len(`{"n":""}`+"\n")) + `"}` + "\n"
	require.Len(t, body, maxBody)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, body)
	}))
	defer srv.Close()
	c := New(Options{Name: "test", BaseURL: srv.URL, MaxBody: maxBody})
	var out struct{ N string }
	_, err := c.Do(context.Background(), Request{Method: "GET", Path: "/"}, &out)
	require.NoError(t, err)
	require.Len(t, out.N, maxBody-len(`{"n":""}`+"\n"))

	// One byte more is too much.
	c = New(Options{Name: "test", BaseURL: srv.URL, MaxBody: maxBody - 1})
	_, err = c.Do(context.Background(), Request{Method: "GET", Path: "/"}, &out)
	require.True(t, connectors.IsPermanent(err))
	require.ErrorContains(t, err, "the answer is larger than 65535 bytes")

	require.Equal(t, int64(32<<20), New(Options{}).maxBody, "32 MiB unless set")
}

func TestDoRefusesAnAnswerThatIsNotTheJSONExpected(t *testing.T) {
	const secret = "jane.doe@acme.example"
	answers := map[string]struct {
		contentType, body, want string
	}{
		"html from a proxy": {"text/html; charset=utf-8",
			"<html><body>Gateway login for " + secret + "</body></html>",
			"test: GET /x: the answer is not valid JSON (text/html)"},
		"truncated json": {"application/json",
			`{"employees":[{"email":"` + secret + `"},{"email":"`,
			"test: GET /x: the answer is not valid JSON"},
		"broken json": {"application/json",
			`{"employees":[{"email":"` + secret + `"}}`,
			"test: GET /x: the answer is not valid JSON"},
		"a second value": {"application/json",
			`{"n":1}{"email":"` + secret + `"}`,
			"test: GET /x: the answer has more after its JSON value"},
		"the wrong shape": {"application/json",
			`{"n":"` + secret + `"}`,
			`test: GET /x: the answer is not in the expected shape (a string where int was expected at "N")`},
		"empty": {"application/json", ``, "test: GET /x: the answer is not valid JSON"},
	}
	for name, a := range answers {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", a.contentType)
				_, _ = io.WriteString(w, a.body)
			}))
			defer srv.Close()
			c := New(Options{Name: "test", BaseURL: srv.URL})
			var out struct{ N int }
			_, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x"}, &out)
			require.True(t, connectors.IsPermanent(err), "%v", err)
			require.Equal(t, "permanent: "+a.want, err.Error())
			require.NotContains(t, err.Error(), "jane")
		})
	}
}

func TestDoRetriesAnAnswerCutShortByTheConnection(t *testing.T) {
	// The server promises more than it sends: the transport fails the
	// read, which may succeed next time.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "100")
		_, _ = io.WriteString(w, `{"n":`)
	}))
	defer srv.Close()
	c := New(Options{Name: "test", BaseURL: srv.URL})
	var out struct{ N int }
	_, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x"}, &out)
	require.Error(t, err)
	require.False(t, connectors.IsPermanent(err), "%v", err)
	require.ErrorContains(t, err, "test: GET /x: reading the answer")
}

func TestDoDrainsABoundedRest(t *testing.T) {
	// A 204 with no out, and an error answer, leave their body unread;
	// closing reads at most DrainLimit of it.
	srv, done := hugeServer(t, `{}`, ` `)
	tr := &faultproxy.CountingTransport{Base: srv.Client().Transport}
	c := New(Options{Name: "test", BaseURL: srv.URL, HTTPClient: &http.Client{Transport: tr}})
	_, err := c.Do(context.Background(), Request{Method: "GET", Path: "/"}, nil)
	require.NoError(t, err)
	require.LessOrEqual(t, tr.Read(), int64(DrainLimit))
	select {
	case n := <-done:
		require.Less(t, n, int64(1<<30))
	case <-time.After(20 * time.Second):
		t.Fatal("the server is still writing: the connection was not closed")
	}
}

package demo

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/connectors"
	"github.com/hrsync/hrsync/connectors/httpx"
	"github.com/hrsync/hrsync/internal/faultproxy"
)

func TestClientRefusesAnAnswerLargerThanTheBound(t *testing.T) {
	const maxBody = 64 << 10
	done := make(chan int64, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		n, _ := io.Copy(w, io.LimitReader(faultproxy.Endless(`{"employees":[`, `{"id":"1"},`), 1<<30))
		done <- n
	}))
	defer srv.Close()
	tr := &faultproxy.CountingTransport{Base: srv.Client().Transport}
	c := newClient(srv.URL, "", &http.Client{Transport: tr})
	c.maxBody = maxBody

	var out map[string]any
	err := c.do(context.Background(), http.MethodGet, "/api/employees", nil, nil, &out)
	require.True(t, connectors.IsPermanent(err), "%v", err)
	require.Equal(t, "permanent: demo: GET /api/employees: the answer is larger than 64 KiB", err.Error())

	// The bound, one byte to tell, and a bounded drain: never the gigabyte.
	require.LessOrEqual(t, tr.Read(), int64(maxBody+1+httpx.DrainLimit))
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

package statusrec_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrsync/hrsync/internal/statusrec"
)

func TestWriterRemembersTheFirstStatus(t *testing.T) {
	for _, tt := range []struct {
		name    string
		handler func(http.ResponseWriter)
		want    int
	}{
		{"nothing written", func(http.ResponseWriter) {}, http.StatusOK},
		{"body only", func(w http.ResponseWriter) { _, _ = w.Write([]byte("x")) }, http.StatusOK},
		{"explicit status", func(w http.ResponseWriter) { w.WriteHeader(http.StatusTeapot) }, http.StatusTeapot},
		{"status then more", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte("x"))
		}, http.StatusCreated},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			w := &statusrec.Writer{ResponseWriter: rec}
			tt.handler(w)
			require.Equal(t, tt.want, w.Status())
			require.Equal(t, tt.want, rec.Code)
		})
	}
}

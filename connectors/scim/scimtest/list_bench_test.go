package scimtest

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/hrsync/hrsync/connectors/scim"
)

// BenchmarkListDirectory reads a directory of 10,000 users through hrsync's
// SCIM client, page by page as a plan does: the reference server's work
// and the client's together, per user.
func BenchmarkListDirectory(b *testing.B) {
	const users = 10000
	ctx := context.Background()
	srv, err := New(Options{Token: "tok", DBPath: b.TempDir() + "/directory.db"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	hs := httptest.NewServer(srv)
	b.Cleanup(hs.Close)
	base := hs.URL + srv.opts.BasePath
	for i := range users {
		if _, err := srv.createUser(ctx, base, map[string]any{
			"schemas":        []any{coreSchema, enterpriseSchema},
			"userName":       fmt.Sprintf("user%05d@example.com", i),
			"externalId":     fmt.Sprintf("E%05d", i),
			"active":         true,
			"name":           map[string]any{"givenName": "Given", "familyName": fmt.Sprintf("Family%05d", i)},
			"emails":         []any{map[string]any{"value": fmt.Sprintf("user%05d@example.com", i), "type": "work", "primary": true}},
			"title":          "Engineer",
			enterpriseSchema: map[string]any{"employeeNumber": fmt.Sprintf("%05d", i), "department": "Platform"},
		}); err != nil {
			b.Fatal(err)
		}
	}
	c, err := scim.New(scim.Config{BaseURL: base, Token: "tok"})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		n, cursor := 0, ""
		for {
			page, err := c.ListUsers(ctx, cursor)
			if err != nil {
				b.Fatal(err)
			}
			n += len(page.Users)
			if cursor = page.Next; cursor == "" {
				break
			}
		}
		if n != users {
			b.Fatalf("listed %d users, want %d", n, users)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*users), "µs/user")
}

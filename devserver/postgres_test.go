package devserver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/hrsync/hrsync/store/storetest"
)

// On PostgreSQL the server creates its two databases and their schemas
// with the server's own tool, registers the namespace and its search
// attributes through the API, runs workflows that visibility can find by
// them, and keeps them over a restart, when the schema is already current.
func TestStartOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal server; skipped with -short")
	}
	dsn := storetest.PostgresDatabase(t)
	ctx := t.Context()
	logger := zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	sas := map[string]enums.IndexedValueType{
		"IntegrationId": enums.INDEXED_VALUE_TYPE_KEYWORD,
		"SyncStatus":    enums.INDEXED_VALUE_TYPE_KEYWORD,
	}

	began := time.Now()
	srv, err := Start(ctx, Options{Postgres: dsn, UIPort: DisableUI, SearchAttributes: sas, Logger: logger})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Stop() })
	t.Logf("first start, schema included, took %s", time.Since(began))
	require.Contains(t, srv.Persistence(), "PostgreSQL")
	c := dial(t, srv, logger)
	requireRetention(t, c, srv.Namespace(), DefaultRetention)
	requireSearchAttributes(t, c, srv.Namespace(), sas)

	runHello(t, c, "hello-pg", "postgres")
	require.Eventually(t, func() bool {
		list, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: `IntegrationId = "acme"`})
		return err == nil && len(list.GetExecutions()) == 1
	}, 30*time.Second, 100*time.Millisecond, "visibility on PostgreSQL finds the run by its search attribute")
	c.Close()
	require.NoError(t, srv.Stop())

	srv2, err := Start(ctx, Options{Postgres: dsn, UIPort: DisableUI, SearchAttributes: sas, Logger: logger})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv2.Stop() })
	c2 := dial(t, srv2, logger)
	defer c2.Close()
	var result string
	require.NoError(t, c2.GetWorkflow(ctx, "hello-pg", "").Get(ctx, &result))
	require.Equal(t, "hello postgres", result)
	require.NoError(t, srv2.Stop())
}

func TestPostgresDSNErrors(t *testing.T) {
	for dsn, want := range map[string]string{
		"mysql://u@h/db":                       "must start postgres://",
		"postgres:///db":                       "names no host",
		"postgres://u@h:5432/":                 "must name one database",
		"postgres://u@h/Temporal":              "letters, digits and underscores",
		"postgres://u@h/t?sslmode=a&sslmode=b": "more than once",
	} {
		_, _, err := postgresConfigs(dsn)
		require.ErrorContains(t, err, want, dsn)
	}
	p, v, err := postgresConfigs("postgresql://temporal:s3cret@db.internal/temporal?sslmode=require")
	require.NoError(t, err)
	require.Equal(t, "db.internal:5432", p.ConnectAddr)
	require.Equal(t, "temporal", p.DatabaseName)
	require.Equal(t, "temporal_visibility", v.DatabaseName)
	require.Equal(t, "s3cret", p.Password)
	require.Equal(t, map[string]string{"sslmode": "require"}, v.ConnectAttributes)
}

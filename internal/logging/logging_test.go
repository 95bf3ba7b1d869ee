package logging

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// The personal data and secrets the tests log; none may reach the output.
const (
	email    = "ada.lovelace@example.com"
	token    = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJFNDIifQ.c2lnbmF0dXJl"
	person   = "Ada Lovelace"
	birthday = "1815-12-10"
)

// employee is a record as a connector might log it with zap.Object.
type employee struct {
	ID, FirstName, Email string
	Groups               []string
}

func (e employee) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("id", e.ID)
	enc.AddString("firstName", e.FirstName)
	enc.AddString("email", e.Email)
	enc.AddTime("birthDate", time.Date(1815, 12, 10, 0, 0, 0, 0, time.UTC))
	return enc.AddArray("groups", zapcore.ArrayMarshalerFunc(func(a zapcore.ArrayEncoder) error {
		for _, g := range e.Groups {
			a.AppendString(g)
		}
		return nil
	}))
}

// stringer is a fmt.Stringer that prints an e-mail address.
type stringer string

func (s stringer) String() string { return "owner " + string(s) }

// assertClean fails if out holds any of the secrets or personal data.
func assertClean(t *testing.T, out string) {
	t.Helper()
	for _, s := range []string{email, "ada.lovelace", token, "eyJ", person, "Lovelace", birthday, "hunter2"} {
		assert.NotContains(t, out, s)
	}
}

func TestNewRedactsEverythingItWrites(t *testing.T) {
	for _, terminal := range []bool{false, true} {
		t.Run(fmt.Sprintf("terminal=%v", terminal), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "log")
			logger, err := build("debug", terminal, []string{path})
			require.NoError(t, err)

			logger = logger.With(zap.String("IntegrationId", "int-7"), zap.String("email", email))
			logger.Info("created "+email+" with Authorization: Bearer "+token,
				zap.String("employeeID", "E42"),
				zap.Int("count", 17),
				zap.Duration("elapsed", 1500*time.Millisecond),
				zap.String("WorkflowID", "sync:int-7:42"),
				zap.String("status", "active"),
				zap.String("name", person),
				zap.String("displayName", person),
				zap.String("dateOfBirth", birthday),
				zap.String("access_token", token),
				zap.String("note", "contact "+email),
				zap.Error(fmt.Errorf("directory rejected %s: %w", email, errors.New("conflict"))),
				zap.Stringer("owner", stringer(email)),
				zap.Object("employee", employee{ID: "E42", FirstName: "Ada", Email: email, Groups: []string{"eng", email}}),
				zap.Any("record", map[string]any{"id": "E42", "lastName": "Lovelace", "manager": map[string]any{"email": email, "id": "E1"}}),
				zap.Strings("recipients", []string{email, "ops"}),
				zap.ByteString("body", []byte(`{"id":"E42","password":"hunter2"}`)),
			)
			require.NoError(t, logger.Sync())
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			out := string(b)
			t.Log(out)

			assertClean(t, out)
			for _, s := range []string{"E42", "17", "1.5", "sync:int-7:42", "active", "int-7", "conflict",
				"[redacted]", "[email]", "Bearer [redacted]", "eng", "E1", "ops"} {
				assert.Contains(t, out, s)
			}
			if !terminal {
				var entry map[string]any
				require.NoError(t, json.Unmarshal(b, &entry))
				assert.Equal(t, "E42", entry["employeeID"])
				assert.EqualValues(t, 17, entry["count"])
				assert.Equal(t, "[redacted]", entry["name"])
				assert.Equal(t, "[redacted]", entry["email"])
				assert.Equal(t, "directory rejected [email]: conflict", entry["error"])
				assert.Equal(t, map[string]any{"id": "E42", "firstName": "[redacted]", "email": "[redacted]",
					"groups": []any{"eng", "[email]"}, "birthDate": "[redacted]"}, entry["employee"])
				assert.Equal(t, map[string]any{"id": "E42", "lastName": "[redacted]",
					"manager": map[string]any{"email": "[redacted]", "id": "E1"}}, entry["record"])
			}
		})
	}
}

func TestNewKeepsLevelsAndSampling(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	logger, err := build("info", false, []string{path})
	require.NoError(t, err)
	logger.Debug("not written")
	// The production config samples: after the first 100 identical
	// messages in a second, only every 100th is written.
	for range 300 {
		logger.Info("same message")
	}
	require.NoError(t, logger.Sync())
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "not written")
	// 102 unless the loop straddles a one-second sampling tick.
	n := strings.Count(string(b), "same message")
	assert.GreaterOrEqual(t, n, 100)
	assert.Less(t, n, 300)
}

func TestRedactingKeepsTheWrappedCoresChoices(t *testing.T) {
	debugCore, debugLogs := observer.New(zapcore.DebugLevel)
	errorCore, errorLogs := observer.New(zapcore.ErrorLevel)
	logger := Redacting(zap.New(zapcore.NewTee(debugCore, errorCore)))
	assert.Same(t, logger, Redacting(logger), "wrapping twice is a no-op")

	logger.Info("hello "+email, zap.String("email", email))
	logger.Error("failed", zap.String("phone", "+44 20 7946 0000"))

	require.Equal(t, 2, debugLogs.Len())
	require.Equal(t, 1, errorLogs.Len(), "the tee's error-level core gets only the error")
	assert.Equal(t, "hello [email]", debugLogs.All()[0].Message)
	assert.Equal(t, map[string]any{"email": "[redacted]"}, debugLogs.All()[0].ContextMap())
	assert.Equal(t, map[string]any{"phone": "[redacted]"}, errorLogs.All()[0].ContextMap())
}

func TestTemporalAdapterRedacts(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	tl := NewTemporal(zap.New(core)).With("Namespace", "hr", "TaskQueue", "hrsync", "WorkflowID", "sync:int-7", "email", email)

	tl.Info("Sync finished for "+email, "RunID", "7f3c", "Created", 12, "Attempt", 1, "displayName", person,
		"WorkflowType", "Sync", "UpdateName", "approve")
	tl.Error("Activity error", "ActivityType", "CreateUser",
		"Error", errors.New("POST /Users: 401 (sent Bearer "+token+") for "+email), "firstName", "Ada")
	tl.Warn("odd keyvals", "Sync for "+email)

	all := logs.All()
	require.Len(t, all, 4, "the odd keyval gets an entry of its own from zap")
	out := fmt.Sprint(all)
	assertClean(t, out)

	info := all[0]
	assert.Equal(t, "Sync finished for [email]", info.Message)
	assert.Equal(t, map[string]any{
		"Namespace": "hr", "TaskQueue": "hrsync", "WorkflowID": "sync:int-7", "email": "[redacted]",
		"RunID": "7f3c", "Created": int64(12), "Attempt": int64(1), "displayName": "[redacted]",
		"WorkflowType": "Sync", "UpdateName": "approve",
	}, info.ContextMap())

	errEntry := all[1]
	assert.Equal(t, "Activity error", errEntry.Message)
	ctx := errEntry.ContextMap()
	assert.Equal(t, "CreateUser", ctx["ActivityType"])
	assert.Equal(t, "[redacted]", ctx["firstName"])
	assert.Equal(t, "POST /Users: 401 (sent Bearer [redacted]) for [email]", ctx["Error"])
	assert.Equal(t, "hr", ctx["Namespace"], "the With fields are still there")
	assert.Equal(t, "sync:int-7", ctx["WorkflowID"])

	ignored := all[2]
	assert.Equal(t, "Sync for [email]", ignored.ContextMap()["ignored"])
}

func TestNewTemporalWithNilLogsNothing(t *testing.T) {
	assert.NotPanics(t, func() { NewTemporal(nil).Info("nothing", "email", email) })
}

// verboseError formats itself with a "stack" under %+v, as errors with
// stack traces do.
type verboseError struct{ msg string }

func (e verboseError) Error() string { return e.msg }

func (e verboseError) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('+') {
		_, _ = fmt.Fprintf(f, "%s\nstack: sync for %s", e.msg, email)
		return
	}
	_, _ = fmt.Fprint(f, e.msg)
}

func TestVerboseErrorsAreRedacted(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	Redacting(zap.New(core)).Error("failed", zap.Error(verboseError{msg: "no such user " + email}))
	require.Equal(t, 1, logs.Len())
	ctx := logs.All()[0].ContextMap()
	assert.Equal(t, "no such user [email]", ctx["error"])
	assert.Equal(t, "no such user [email]\nstack: sync for [email]", ctx["errorVerbose"])
}

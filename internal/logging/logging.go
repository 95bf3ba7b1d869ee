// Package logging builds hrsync's one zap logger and adapts it to the
// Temporal SDK's logger interface, so workflow, activity and process logs
// share one stream and one format. Everything logged through it is
// redacted first (see NewRedactingCore and Redact): secrets and people's
// personal data stay out of the logs.
package logging

import (
	"fmt"
	"os"

	"go.temporal.io/sdk/log"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"golang.org/x/term"
)

// New returns the process logger at level ("debug", "info", "warn",
// "error"): human-readable on a terminal, JSON otherwise, redacted either
// way.
func New(level string) (*zap.Logger, error) {
	return build(level, term.IsTerminal(int(os.Stderr.Fd())), nil)
}

// build is New writing to outputPaths (nil: stderr), in the terminal
// format or not.
func build(level string, terminal bool, outputPaths []string) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	var cfg zap.Config
	if terminal {
		cfg = zap.NewDevelopmentConfig()
		cfg.EncoderConfig.EncodeLevel = zapcore.CapitalColorLevelEncoder
		cfg.DisableStacktrace = true
	} else {
		cfg = zap.NewProductionConfig()
		cfg.EncoderConfig.TimeKey = "time"
		cfg.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
	}
	cfg.Level = zap.NewAtomicLevelAt(lvl)
	if outputPaths != nil {
		cfg.OutputPaths, cfg.ErrorOutputPaths = outputPaths, outputPaths
	}
	// The redaction wraps the whole core, sampling included, so loggers
	// derived with With, Named or WithOptions stay redacted.
	logger, err := cfg.Build(zap.WrapCore(NewRedactingCore))
	if err != nil {
		return nil, fmt.Errorf("unable to build logger: %w", err)
	}
	return logger, nil
}

// Temporal adapts a zap logger to the SDK's log.Logger.
type Temporal struct {
	z *zap.SugaredLogger
}

var (
	_ log.Logger          = (*Temporal)(nil)
	_ log.WithLogger      = (*Temporal)(nil)
	_ log.WithSkipCallers = (*Temporal)(nil)
)

// NewTemporal wraps z for the Temporal SDK, redacting its output if z
// does not already (see Redacting); a nil z logs nothing.
func NewTemporal(z *zap.Logger) *Temporal {
	return &Temporal{z: Redacting(z).WithOptions(zap.AddCallerSkip(1)).Sugar()}
}

// Debug logs at debug level with key-value pairs.
func (t *Temporal) Debug(msg string, keyvals ...any) { t.z.Debugw(msg, keyvals...) }

// Info logs at info level with key-value pairs.
func (t *Temporal) Info(msg string, keyvals ...any) { t.z.Infow(msg, keyvals...) }

// Warn logs at warn level with key-value pairs.
func (t *Temporal) Warn(msg string, keyvals ...any) { t.z.Warnw(msg, keyvals...) }

// Error logs at error level with key-value pairs.
func (t *Temporal) Error(msg string, keyvals ...any) { t.z.Errorw(msg, keyvals...) }

// With returns a logger that adds keyvals to every entry.
func (t *Temporal) With(keyvals ...any) log.Logger { return &Temporal{z: t.z.With(keyvals...)} }

// WithCallerSkip returns a logger that skips depth more stack frames when
// reporting the caller.
func (t *Temporal) WithCallerSkip(depth int) log.Logger {
	return &Temporal{z: t.z.WithOptions(zap.AddCallerSkip(depth))}
}

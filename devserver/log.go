package devserver

import (
	"sync/atomic"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// serverLogger adapts a *zap.Logger to the Temporal server's log.Logger.
//
// The server logs a great deal at Info; only entries at minLevel and above
// are passed on. While the server shuts down (quiet is set) only Panic and
// Fatal get through: its services log a burst of warnings and errors about
// cancelled polls and closed connections as they stop one another, and a
// clean Stop should leave no alarming output.
type serverLogger struct {
	zl       *zap.Logger
	minLevel zapcore.Level
	quiet    *atomic.Bool
}

var (
	_ log.Logger     = (*serverLogger)(nil)
	_ log.WithLogger = (*serverLogger)(nil)
)

func newServerLogger(zl *zap.Logger) *serverLogger {
	return &serverLogger{
		zl:       zl.Named("temporal"),
		minLevel: zapcore.WarnLevel,
		quiet:    new(atomic.Bool),
	}
}

// With returns a logger that adds tags to every entry.
func (l *serverLogger) With(tags ...tag.Tag) log.Logger {
	return &serverLogger{zl: l.zl.With(zapFields(tags)...), minLevel: l.minLevel, quiet: l.quiet}
}

func (l *serverLogger) Debug(msg string, tags ...tag.Tag) { l.log(zapcore.DebugLevel, msg, tags) }
func (l *serverLogger) Info(msg string, tags ...tag.Tag)  { l.log(zapcore.InfoLevel, msg, tags) }
func (l *serverLogger) Warn(msg string, tags ...tag.Tag)  { l.log(zapcore.WarnLevel, msg, tags) }
func (l *serverLogger) Error(msg string, tags ...tag.Tag) { l.log(zapcore.ErrorLevel, msg, tags) }

// DPanic logs at error level: a development-mode panic must not take down
// the process that embeds the server.
func (l *serverLogger) DPanic(msg string, tags ...tag.Tag) { l.log(zapcore.ErrorLevel, msg, tags) }

// Panic logs and panics, as the server expects.
func (l *serverLogger) Panic(msg string, tags ...tag.Tag) { l.zl.Panic(msg, zapFields(tags)...) }

// Fatal logs and exits the process, as the server expects.
func (l *serverLogger) Fatal(msg string, tags ...tag.Tag) { l.zl.Fatal(msg, zapFields(tags)...) }

func (l *serverLogger) log(lvl zapcore.Level, msg string, tags []tag.Tag) {
	if lvl < l.minLevel {
		return
	}
	if l.quiet.Load() && lvl < zapcore.DPanicLevel {
		return
	}
	if ce := l.zl.Check(lvl, msg); ce != nil {
		ce.Write(zapFields(tags)...)
	}
}

func zapFields(tags []tag.Tag) []zap.Field {
	fields := make([]zap.Field, len(tags))
	for i, t := range tags {
		if zt, ok := t.(tag.ZapTag); ok {
			fields[i] = zt.Field()
		} else {
			fields[i] = zap.Any(t.Key(), t.Value())
		}
	}
	return fields
}

// sdkLogger adapts a *zap.Logger to the SDK's log.Logger for the client that
// Start uses to check and prepare the namespace. Only warnings and errors
// are passed on.
type sdkLogger struct {
	s *zap.SugaredLogger
}

func newSDKLogger(zl *zap.Logger) *sdkLogger {
	return &sdkLogger{s: zl.Named("devserver-client").Sugar()}
}

func (l *sdkLogger) Debug(string, ...any)             {}
func (l *sdkLogger) Info(string, ...any)              {}
func (l *sdkLogger) Warn(msg string, keyvals ...any)  { l.s.Warnw(msg, keyvals...) }
func (l *sdkLogger) Error(msg string, keyvals ...any) { l.s.Errorw(msg, keyvals...) }

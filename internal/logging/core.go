package logging

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// NewRedactingCore wraps next so that every entry written through it is
// redacted first:
//
//   - a field whose key is sensitive (IsSensitiveKey) gets the value
//     "[redacted]", whatever its type;
//   - the message and every other string value, error text and Stringer
//     go through Redact;
//   - the same applies inside zap.Object, zap.Array, zap.Dict, zap.Inline
//     and zap.Any values of maps, slices and structs (walked as the JSON
//     that zap would print).
//
// next keeps deciding what is logged (its levels and sampling apply), so
// the wrapper can go around any core. Wrapping twice is a no-op.
func NewRedactingCore(next zapcore.Core) zapcore.Core {
	if _, ok := next.(*redactingCore); ok {
		return next
	}
	return &redactingCore{next: next}
}

// Redacting returns z with its output redacted (see NewRedactingCore);
// a logger from New already is. A nil z gives a no-op logger.
func Redacting(z *zap.Logger) *zap.Logger {
	if z == nil {
		return zap.NewNop()
	}
	if _, ok := z.Core().(*redactingCore); ok {
		return z
	}
	return z.WithOptions(zap.WrapCore(NewRedactingCore))
}

// redactingCore redacts entries on their way to next.
type redactingCore struct {
	next zapcore.Core
}

func (c *redactingCore) Enabled(l zapcore.Level) bool { return c.next.Enabled(l) }

func (c *redactingCore) With(fields []zapcore.Field) zapcore.Core {
	return &redactingCore{next: c.next.With(redactFields(fields))}
}

// Check lets next decide (so a sampler or a tee of cores at different
// levels behaves as without the wrapper), then routes the write through
// redaction to the cores next chose.
func (c *redactingCore) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	down := c.next.Check(ent, nil)
	if down == nil {
		return ce
	}
	return ce.AddCore(ent, &checkedWrite{down: down})
}

// Write serves callers that write to the core without Check.
func (c *redactingCore) Write(ent zapcore.Entry, fields []zapcore.Field) error {
	ent.Message = Redact(ent.Message)
	return c.next.Write(ent, redactFields(fields))
}

func (c *redactingCore) Sync() error { return c.next.Sync() }

// checkedWrite writes one checked entry, redacted, to the cores that
// the wrapped core chose in Check. It exists only inside a CheckedEntry.
type checkedWrite struct {
	down *zapcore.CheckedEntry
}

func (w *checkedWrite) Enabled(zapcore.Level) bool        { return true }
func (w *checkedWrite) With([]zapcore.Field) zapcore.Core { return w }
func (w *checkedWrite) Sync() error                       { return nil }

func (w *checkedWrite) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	return ce.AddCore(ent, w)
}

func (w *checkedWrite) Write(ent zapcore.Entry, fields []zapcore.Field) error {
	// ent is the final entry, with the caller and stack the logger added
	// after Check.
	ent.Message = Redact(ent.Message)
	w.down.Entry = ent
	var errs writeErrors
	w.down.ErrorOutput = &errs
	w.down.Write(redactFields(fields)...)
	return errs.err()
}

// writeErrors collects the errors a CheckedEntry reports, so Write can
// return them to the outer entry, which prints them where the logger's
// errors go.
type writeErrors struct {
	msgs []string
}

func (e *writeErrors) Write(p []byte) (int, error) {
	e.msgs = append(e.msgs, strings.TrimSpace(string(p)))
	return len(p), nil
}

func (e *writeErrors) Sync() error { return nil }

func (e *writeErrors) err() error {
	if len(e.msgs) == 0 {
		return nil
	}
	return errors.New(strings.Join(e.msgs, "; "))
}

// redactFields returns fields redacted, leaving the caller's slice alone.
func redactFields(fields []zapcore.Field) []zapcore.Field {
	if len(fields) == 0 {
		return fields
	}
	out := make([]zapcore.Field, len(fields))
	for i, f := range fields {
		out[i] = redactField(f)
	}
	return out
}

// redactField redacts one field: by key first, then by value.
func redactField(f zapcore.Field) zapcore.Field {
	switch f.Type {
	case zapcore.SkipType, zapcore.NamespaceType:
		return f
	}
	if f.Key != "" && IsSensitiveKey(f.Key) {
		return zap.String(f.Key, Redacted)
	}
	switch f.Type {
	case zapcore.StringType:
		f.String = Redact(f.String)
	case zapcore.ByteStringType:
		if b, ok := f.Interface.([]byte); ok {
			return zap.ByteString(f.Key, []byte(Redact(string(b))))
		}
	case zapcore.StringerType:
		if s, ok := f.Interface.(fmt.Stringer); ok {
			return zap.String(f.Key, Redact(safeString(s)))
		}
	case zapcore.ErrorType:
		if err, ok := f.Interface.(error); ok {
			f.Interface = redactError(err)
		}
	case zapcore.ObjectMarshalerType, zapcore.InlineMarshalerType:
		if m, ok := f.Interface.(zapcore.ObjectMarshaler); ok {
			f.Interface = redactedObject{m}
		}
	case zapcore.ArrayMarshalerType:
		if m, ok := f.Interface.(zapcore.ArrayMarshaler); ok {
			f.Interface = redactedArray{m}
		}
	case zapcore.ReflectType:
		v, err := redactReflected(f.Interface)
		if err != nil {
			// What zap itself does with a value it cannot encode.
			return zap.String(f.Key+"Error", Redact(err.Error()))
		}
		f.Interface = v
	}
	return f
}

// safeString calls s.String, which may panic (a nil pointer receiver).
func safeString(s fmt.Stringer) (str string) {
	defer func() {
		if r := recover(); r != nil {
			str = fmt.Sprintf("PANIC=%v", r)
		}
	}()
	return s.String()
}

// redactError returns an error that prints as err does, redacted. zap
// prints a second, "…Verbose" form for errors that format themselves
// (stack traces); that form is kept, redacted.
func redactError(err error) error {
	msg := func() (s string) {
		defer func() {
			if r := recover(); r != nil {
				s = fmt.Sprintf("PANIC=%v", r)
			}
		}()
		return err.Error()
	}()
	e := redactedError{msg: Redact(msg)}
	if _, ok := err.(fmt.Formatter); ok {
		return redactedVerboseError{redactedError: e, verbose: Redact(fmt.Sprintf("%+v", err))}
	}
	return e
}

type redactedError struct{ msg string }

func (e redactedError) Error() string { return e.msg }

type redactedVerboseError struct {
	redactedError
	verbose string
}

func (e redactedVerboseError) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('+') {
		_, _ = fmt.Fprint(f, e.verbose)
		return
	}
	_, _ = fmt.Fprint(f, e.msg)
}

// redactReflected redacts a value zap would encode as JSON: it encodes
// it, redacts the keys and strings of the result, and returns that.
func redactReflected(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return redactJSON(out), nil
}

// redactJSON redacts a decoded JSON value in place.
func redactJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if IsSensitiveKey(k) {
				x[k] = Redacted
			} else {
				x[k] = redactJSON(e)
			}
		}
	case []any:
		for i := range x {
			x[i] = redactJSON(x[i])
		}
	case string:
		return Redact(x)
	}
	return v
}

// redactedObject marshals an ObjectMarshaler through a redacting encoder.
type redactedObject struct{ m zapcore.ObjectMarshaler }

func (o redactedObject) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	return o.m.MarshalLogObject(objectEncoder{enc})
}

// redactedArray marshals an ArrayMarshaler through a redacting encoder.
type redactedArray struct{ m zapcore.ArrayMarshaler }

func (a redactedArray) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	return a.m.MarshalLogArray(arrayEncoder{enc})
}

// objectEncoder redacts what an ObjectMarshaler adds: values under a
// sensitive key become "[redacted]", strings go through Redact, and
// nested objects and arrays are wrapped in turn.
type objectEncoder struct{ zapcore.ObjectEncoder }

// hide reports whether key is sensitive, and if so adds "[redacted]".
func (e objectEncoder) hide(key string) bool {
	if !IsSensitiveKey(key) {
		return false
	}
	e.ObjectEncoder.AddString(key, Redacted)
	return true
}

func (e objectEncoder) AddArray(key string, m zapcore.ArrayMarshaler) error {
	if e.hide(key) {
		return nil
	}
	return e.ObjectEncoder.AddArray(key, redactedArray{m})
}

func (e objectEncoder) AddObject(key string, m zapcore.ObjectMarshaler) error {
	if e.hide(key) {
		return nil
	}
	return e.ObjectEncoder.AddObject(key, redactedObject{m})
}

func (e objectEncoder) AddReflected(key string, v any) error {
	if e.hide(key) {
		return nil
	}
	r, err := redactReflected(v)
	if err != nil {
		return err
	}
	return e.ObjectEncoder.AddReflected(key, r)
}

func (e objectEncoder) AddString(key, v string) {
	if !e.hide(key) {
		e.ObjectEncoder.AddString(key, Redact(v))
	}
}

func (e objectEncoder) AddByteString(key string, v []byte) {
	if !e.hide(key) {
		e.ObjectEncoder.AddByteString(key, []byte(Redact(string(v))))
	}
}

func (e objectEncoder) AddBinary(key string, v []byte) {
	if !e.hide(key) {
		e.ObjectEncoder.AddBinary(key, v)
	}
}

func (e objectEncoder) AddBool(key string, v bool) {
	if !e.hide(key) {
		e.ObjectEncoder.AddBool(key, v)
	}
}

func (e objectEncoder) AddComplex128(key string, v complex128) {
	if !e.hide(key) {
		e.ObjectEncoder.AddComplex128(key, v)
	}
}

func (e objectEncoder) AddComplex64(key string, v complex64) {
	if !e.hide(key) {
		e.ObjectEncoder.AddComplex64(key, v)
	}
}

func (e objectEncoder) AddDuration(key string, v time.Duration) {
	if !e.hide(key) {
		e.ObjectEncoder.AddDuration(key, v)
	}
}

func (e objectEncoder) AddFloat64(key string, v float64) {
	if !e.hide(key) {
		e.ObjectEncoder.AddFloat64(key, v)
	}
}

func (e objectEncoder) AddFloat32(key string, v float32) {
	if !e.hide(key) {
		e.ObjectEncoder.AddFloat32(key, v)
	}
}

func (e objectEncoder) AddInt(key string, v int) {
	if !e.hide(key) {
		e.ObjectEncoder.AddInt(key, v)
	}
}

func (e objectEncoder) AddInt64(key string, v int64) {
	if !e.hide(key) {
		e.ObjectEncoder.AddInt64(key, v)
	}
}

func (e objectEncoder) AddInt32(key string, v int32) {
	if !e.hide(key) {
		e.ObjectEncoder.AddInt32(key, v)
	}
}

func (e objectEncoder) AddInt16(key string, v int16) {
	if !e.hide(key) {
		e.ObjectEncoder.AddInt16(key, v)
	}
}

func (e objectEncoder) AddInt8(key string, v int8) {
	if !e.hide(key) {
		e.ObjectEncoder.AddInt8(key, v)
	}
}

func (e objectEncoder) AddTime(key string, v time.Time) {
	if !e.hide(key) {
		e.ObjectEncoder.AddTime(key, v)
	}
}

func (e objectEncoder) AddUint(key string, v uint) {
	if !e.hide(key) {
		e.ObjectEncoder.AddUint(key, v)
	}
}

func (e objectEncoder) AddUint64(key string, v uint64) {
	if !e.hide(key) {
		e.ObjectEncoder.AddUint64(key, v)
	}
}

func (e objectEncoder) AddUint32(key string, v uint32) {
	if !e.hide(key) {
		e.ObjectEncoder.AddUint32(key, v)
	}
}

func (e objectEncoder) AddUint16(key string, v uint16) {
	if !e.hide(key) {
		e.ObjectEncoder.AddUint16(key, v)
	}
}

func (e objectEncoder) AddUint8(key string, v uint8) {
	if !e.hide(key) {
		e.ObjectEncoder.AddUint8(key, v)
	}
}

func (e objectEncoder) AddUintptr(key string, v uintptr) {
	if !e.hide(key) {
		e.ObjectEncoder.AddUintptr(key, v)
	}
}

// arrayEncoder redacts the strings and nested values of an array; the
// array's key was checked by whoever added it.
type arrayEncoder struct{ zapcore.ArrayEncoder }

func (e arrayEncoder) AppendString(v string) { e.ArrayEncoder.AppendString(Redact(v)) }

func (e arrayEncoder) AppendByteString(v []byte) {
	e.ArrayEncoder.AppendByteString([]byte(Redact(string(v))))
}

func (e arrayEncoder) AppendArray(m zapcore.ArrayMarshaler) error {
	return e.ArrayEncoder.AppendArray(redactedArray{m})
}

func (e arrayEncoder) AppendObject(m zapcore.ObjectMarshaler) error {
	return e.ArrayEncoder.AppendObject(redactedObject{m})
}

func (e arrayEncoder) AppendReflected(v any) error {
	r, err := redactReflected(v)
	if err != nil {
		return err
	}
	return e.ArrayEncoder.AppendReflected(r)
}

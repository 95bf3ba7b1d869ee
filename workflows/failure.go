package workflows

import (
	"errors"
	"strings"
	"unicode/utf8"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// maxFailure bounds what an admin reads of a failed run.
const maxFailure = 300

// failureSentence is what an admin reads of a run that ended with err: one
// sentence of at most maxFailure characters naming the step, the cause in
// the words of the system that refused, and what happens next (after the
// outage limit, the integration is quarantined). The whole chain goes to
// the worker log, never here.
func failureSentence(err error, status string) string {
	step, cause := "The run", err.Error()
	if s, rest, ok := strings.Cut(cause, " failed: "); ok && !strings.Contains(s, " ") {
		step = strings.ToUpper(s[:1]) + s[1:]
		cause = rest
	}
	var timeout *temporal.TimeoutError
	var appErr *temporal.ApplicationError
	next := "the next scheduled run tries again."
	switch {
	case temporal.IsCanceledError(err):
		return step + " was cancelled; what it applied is in its report."
	case errors.As(err, &timeout) && timeout.TimeoutType() == enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE:
		cause = "kept failing until the outage limit"
		if last := lastFailure(timeout); last != "" {
			cause += "; last error: " + last
		}
		next = "scheduled runs wait until an administrator resumes the integration."
	case errors.As(err, &appErr):
		cause = appErr.Message()
	}
	switch status {
	case StatusReconnect:
		next = "reconnect the account (starter connect), then sync."
	case StatusSourceNotReady:
		next = "the next run looks again."
	}
	head := step + " failed: "
	tail := "; " + next
	room := maxFailure - utf8.RuneCountInString(head) - utf8.RuneCountInString(tail)
	return head + shorten(cause, room) + tail
}

// lastFailure is the message of the last attempt's failure behind a
// timeout, when Temporal kept it.
func lastFailure(timeout *temporal.TimeoutError) string {
	var appErr *temporal.ApplicationError
	if errors.As(timeout.Unwrap(), &appErr) {
		return appErr.Message()
	}
	return ""
}

// shorten cuts a chain of "context: cause" messages to room characters: the
// first clause and the last, which say what was being done and what the
// remote system answered.
func shorten(msg string, room int) string {
	msg = strings.Join(strings.Fields(msg), " ")
	if utf8.RuneCountInString(msg) <= room {
		return msg
	}
	parts := strings.Split(msg, ": ")
	if len(parts) > 2 {
		joined := parts[0] + ": … " + parts[len(parts)-1]
		if utf8.RuneCountInString(joined) <= room {
			return joined
		}
		msg = joined
	}
	r := []rune(msg)
	return string(r[:max(room-1, 0)]) + "…"
}

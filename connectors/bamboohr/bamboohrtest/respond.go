package bamboohrtest

import (
	"encoding/json"
	"net/http"
)

// apiError is BambooHR's error body.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// writeJSON writes v as a 200 JSON answer.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes an error answer in BambooHR's shape, with the message
// also in X-BambooHR-Message as BambooHR sends it.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	var body apiError
	body.Error.Code, body.Error.Message = code, msg
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-BambooHR-Message", msg)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// codeOf names an injected status's error code.
func codeOf(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "BadRequest"
	case http.StatusUnauthorized:
		return "Unauthorized"
	case http.StatusForbidden:
		return "Forbidden"
	case http.StatusNotFound:
		return "NotFound"
	case http.StatusTooManyRequests:
		return "TooManyRequests"
	case http.StatusServiceUnavailable:
		return "ServiceUnavailable"
	}
	return "InternalServerError"
}

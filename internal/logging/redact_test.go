package logging

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIsSensitiveKey(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		// Secrets.
		{"token", true},
		{"access_token", true},
		{"refresh_token", true},
		{"idToken", true},
		{"accesstoken", true},
		{"secret", true},
		{"clientSecret", true},
		{"client_secret", true},
		{"password", true},
		{"Password", true},
		{"userPassword", true},
		{"apikey", true},
		{"api_key", true},
		{"apiKey", true},
		{"APIKey", true},
		{"x-api-key", true},
		{"TEMPORAL_API_KEY", true},
		{"Authorization", true},
		{"Proxy-Authorization", true},
		{"credential", true},
		{"credentials", true},
		{"privateKey", true},
		{"signing_key", true},
		{"keyMaterial", true},
		{"TEMPORAL_TLS_CLIENT_KEY_DATA", true},
		{"Cookie", true},
		// Personal data.
		{"email", true},
		{"Email", true},
		{"workEmail", true},
		{"emailAddress", true},
		{"mail", true},
		{"name", true},
		{"Name", true},
		{"firstName", true},
		{"first_name", true},
		{"firstname", true},
		{"lastName", true},
		{"givenName", true},
		{"familyName", true},
		{"displayName", true},
		{"display_name", true},
		{"fullName", true},
		{"surname", true},
		{"userName", true},
		{"employeeName", true},
		{"manager_name", true},
		{"dateOfBirth", true},
		{"date_of_birth", true},
		{"dob", true},
		{"birthDate", true},
		{"phone", true},
		{"phoneNumber", true},
		{"mobilePhone", true},
		{"address", true},
		{"homeAddress", true},
		{"streetAddress", true},
		{"nationalId", true},
		{"ssn", true},
		// Readable: Temporal SDK keys.
		{"Namespace", false},
		{"namespace", false},
		{"TaskQueue", false},
		{"WorkflowID", false},
		{"WorkflowType", false},
		{"RunID", false},
		{"ActivityID", false},
		{"ActivityType", false},
		{"Attempt", false},
		{"Error", false},
		{"UpdateName", false},
		{"WorkerID", false},
		{"StackTrace", false},
		// Readable: hrsync keys.
		{"IntegrationId", false},
		{"PlanId", false},
		{"SyncWorkflowId", false},
		{"Status", false},
		{"Recipients", false},
		{"By", false},
		{"taskQueue", false},
		{"temporal", false},
		{"employeeID", false},
		{"count", false},
		{"duration", false},
		// Readable: describes a datum rather than holding it.
		{"emailCount", false},
		{"tokenType", false},
		{"token_expiry", false},
		{"nameField", false},
		{"firstNameField", false},
		{"encryptionKeyID", false},
		{"TEMPORAL_TLS_CLIENT_KEY_PATH", false},
		{"credentialRef", false},
		{"tokenURL", false},
		// Readable: names that are not people's.
		{"hostname", false},
		{"fileName", false},
		{"integrationName", false},
		{"ServerName", false},
		{"companyName", false},
		// Readable: keys that are not key material, addresses of machines.
		{"key", false},
		{"idempotencyKey", false},
		{"cacheKey", false},
		{"ipAddress", false},
		{"ipv4Address", false},
		{"remote_addr", false},
		{"listenAddress", false},
		{"temporalAddress", false},
		{"", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, IsSensitiveKey(tt.key), "IsSensitiveKey(%q)", tt.key)
	}
}

func TestKeyWords(t *testing.T) {
	assert.Equal(t, []string{"date", "of", "birth"}, keyWords("dateOfBirth"))
	assert.Equal(t, []string{"api", "key"}, keyWords("APIKey"))
	assert.Equal(t, []string{"workflow", "id"}, keyWords("WorkflowID"))
	assert.Equal(t, []string{"temporal", "api", "key"}, keyWords("TEMPORAL_API_KEY"))
	assert.Equal(t, []string{"oauth", "2", "token"}, keyWords("oauth2Token"))
	assert.Equal(t, []string{"x", "api", "key"}, keyWords("x-api-key"))
	assert.Equal(t, []string{"namespace"}, keyWords("Namespace"))
}

func TestRedact(t *testing.T) {
	basic := base64.StdEncoding.EncodeToString([]byte("svc-hrsync:hunter2"))
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain", "Sync finished: 12 created, 3 updated", "Sync finished: 12 created, 3 updated"},
		{"email", "unable to create ada.lovelace@example.com in the directory",
			"unable to create [email] in the directory"},
		{"emails", "to a@example.org, b+x@mail.example.co.uk", "to [email], [email]"},
		{"bearer", "Authorization: Bearer eyJhbGciOi.eyJzdWIi.SflKxwRJ", "Authorization: Bearer [redacted]"},
		{"bearer lower case", "sent bearer abc123DEF456", "sent bearer [redacted]"},
		{"bearer in prose", "the HRIS wants a bearer token", "the HRIS wants a bearer token"},
		{"basic", "header Basic " + basic + " rejected", "header Basic [redacted] rejected"},
		{"basic in prose", "a basic check failed", "a basic check failed"},
		{"url password", "postgres://hrsync:s3cret@db.internal:5432/hrsync",
			"postgres://hrsync:[redacted]@db.internal:5432/hrsync"},
		{"query secrets", "GET https://hris.example/api?access_token=abc123&page=2&code=xyz",
			"GET https://hris.example/api?access_token=[redacted]&page=2&code=[redacted]"},
		{"logfmt", "employee id=E42 firstName=Ada status=active", "employee id=E42 firstName=[redacted] status=active"},
		{"go map", "map[dob:1815-12-10 id:E42]", "map[dob:[redacted] id:E42]"},
		{"json body", `400 Bad Request: {"id":"E42","givenName":"Ada","error":"invalid_grant","refresh_token":"r-1"}`,
			`400 Bad Request: {"id":"E42","givenName":"[redacted]","error":"invalid_grant","refresh_token":"[redacted]"}`},
		{"ids and urls stay", "workflow sync:E42 run 7f3c at https://temporal.example:7233/namespaces/hr?page=2",
			"workflow sync:E42 run 7f3c at https://temporal.example:7233/namespaces/hr?page=2"},
		{"env var", "TEMPORAL_API_KEY=abc.def rejected", "TEMPORAL_API_KEY=[redacted] rejected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Redact(tt.in)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, got, Redact(got), "Redact is idempotent")
		})
	}
}

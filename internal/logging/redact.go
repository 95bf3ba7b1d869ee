package logging

import (
	"encoding/base64"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Redacted replaces the value of a field whose key names a secret or a
// personal datum.
const Redacted = "[redacted]"

// What Redact puts in place of what it removes.
const (
	redactedEmail = "[email]"
)

var (
	// emailRE matches an e-mail address with a dotted domain.
	emailRE = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@(?:[A-Za-z0-9\-]+\.)+[A-Za-z]{2,}`)
	// userinfoRE matches the password in scheme://user:password@host.
	userinfoRE = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.\-]*://[^\s/:@]*):[^\s/@]+@`)
	// bearerRE matches "Bearer <token>" (RFC 6750 token68).
	bearerRE = regexp.MustCompile(`(?i)\b(bearer)(\s+)([A-Za-z0-9\-._~+/]+=*)`)
	// basicRE matches "Basic <base64>".
	basicRE = regexp.MustCompile(`(?i)\b(basic)(\s+)([A-Za-z0-9+/]{4,}={0,2})`)
	// pairRE matches key=value and key:value (no space after the colon),
	// as in query strings, logfmt and Go's printing of maps and structs.
	pairRE = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_.\-]*)([=:])([^\s&,;"'#?\]\[{}()]+)`)
	// jsonPairRE matches a JSON property with a string value.
	jsonPairRE = regexp.MustCompile(`"([^"\\]{1,64})"(\s*:\s*)"((?:[^"\\]|\\.)*)"`)
)

// proseAfterBearer are words that follow "bearer" in prose ("missing
// bearer token") rather than a credential.
var proseAfterBearer = map[string]bool{
	"token": true, "tokens": true, "auth": true, "authentication": true, "authorization": true,
	"credential": true, "credentials": true, "scheme": true, "header": true, "realm": true,
}

// queryOnlySecrets are parameter names that hold secrets in query
// strings (?code=…&key=…) but are too common as plain words to redact in
// other key=value text.
var queryOnlySecrets = map[string]bool{"code": true, "key": true, "sig": true, "signature": true, "state": true}

// Redact scrubs secrets and personal data out of free text (log messages,
// string field values, errors shown to people):
//
//   - e-mail addresses become "[email]";
//   - "Bearer <token>" becomes "Bearer [redacted]" (unless the next word is
//     prose such as "token");
//   - "Basic <base64 of user:password>" becomes "Basic [redacted]";
//   - the password in scheme://user:password@host becomes "[redacted]";
//   - in key=value, key:value and JSON "key":"value", the value becomes
//     "[redacted]" when the key is sensitive (see IsSensitiveKey), and in
//     a query string also for code, key, sig, signature and state.
//
// It leaves everything else, IDs, counts and statuses included, as it is,
// and applying it twice gives the same result as once.
func Redact(s string) string {
	if s == "" {
		return s
	}
	if strings.IndexByte(s, '@') >= 0 {
		s = userinfoRE.ReplaceAllString(s, "${1}:"+Redacted+"@")
		s = emailRE.ReplaceAllString(s, redactedEmail)
	}
	if containsFold(s, "bearer") {
		s = replaceSubmatch(bearerRE, s, func(m []string) string {
			if proseAfterBearer[strings.ToLower(m[3])] {
				return m[0]
			}
			return m[1] + m[2] + Redacted
		})
	}
	if containsFold(s, "basic") {
		s = replaceSubmatch(basicRE, s, func(m []string) string {
			if !isBasicCredentials(m[3]) {
				return m[0]
			}
			return m[1] + m[2] + Redacted
		})
	}
	if strings.IndexByte(s, '"') >= 0 {
		s = replaceSubmatch(jsonPairRE, s, func(m []string) string {
			if m[3] == Redacted || !IsSensitiveKey(m[1]) {
				return m[0]
			}
			return `"` + m[1] + `"` + m[2] + `"` + Redacted + `"`
		})
	}
	if strings.ContainsAny(s, "=:") {
		s = replacePairs(s)
	}
	return s
}

// replacePairs redacts the value of sensitive key=value and key:value pairs.
func replacePairs(s string) string {
	idx := pairRE.FindAllStringSubmatchIndex(s, -1)
	if idx == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range idx {
		key, sep, value := s[m[2]:m[3]], s[m[4]:m[5]], s[m[6]:m[7]]
		if value == Redacted || strings.HasPrefix(value, "//") {
			continue // already done, or a URL's scheme
		}
		inQuery := sep == "=" && m[0] > 0 && (s[m[0]-1] == '?' || s[m[0]-1] == '&')
		if !IsSensitiveKey(key) && !(inQuery && queryOnlySecrets[strings.ToLower(key)]) {
			continue
		}
		b.WriteString(s[last:m[6]])
		b.WriteString(Redacted)
		last = m[7]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// replaceSubmatch is ReplaceAllStringFunc with the submatches at hand.
func replaceSubmatch(re *regexp.Regexp, s string, f func(m []string) string) string {
	return re.ReplaceAllStringFunc(s, func(match string) string {
		return f(re.FindStringSubmatch(match))
	})
}

// isBasicCredentials reports whether tok is base64 of printable
// "user:password", so the word after "basic" in prose is left alone.
func isBasicCredentials(tok string) bool {
	b, err := base64.StdEncoding.DecodeString(tok)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(tok, "=")); err != nil {
			return false
		}
	}
	if !utf8.Valid(b) || !strings.Contains(string(b), ":") {
		return false
	}
	for _, r := range string(b) {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// containsFold reports whether s contains the lower-case ASCII word sub,
// in any case.
func containsFold(s, sub string) bool {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		if strings.EqualFold(s[i:i+n], sub) {
			return true
		}
	}
	return false
}

// The key rule. IsSensitiveKey splits a key into lower-case words at
// camelCase humps, acronyms, digits and any non-alphanumeric character
// ("dateOfBirth" → date of birth, "TEMPORAL_API_KEY" → temporal api key,
// "APIKey" → api key), then:
//
//  1. whole keys in sensitiveWholeKeys (nationalId, taxId, …) are
//     sensitive;
//  2. a key of two or more words whose last word is in metadataSuffixes
//     (id, count, type, status, path, field, url, …) is not: it describes
//     a datum rather than holding it (emailCount, tokenType, nameField,
//     TEMPORAL_TLS_CLIENT_KEY_PATH, encryptionKeyID);
//  3. a key is sensitive if any word is in sensitiveWords (token,
//     password, secret, email, phone, dob, …) or contains one of
//     sensitiveParts (accesstoken, clientsecret, workemail, …);
//  4. "key" is sensitive only after a word such as api, private, secret,
//     signing, client or encryption, or before material, data or pem,
//     never alone (idempotency keys, map keys);
//  5. "address" is sensitive unless it follows a network word (ip, host,
//     server, listen, remote, temporal, …);
//  6. "name" is sensitive alone or after a person word (first, last,
//     given, family, display, full, user, employee, manager, …), and so
//     are the one-word forms (firstname, surname, username, …); other
//     names stay readable: Namespace, WorkflowType, UpdateName, fileName,
//     integrationName, hostname.
var (
	sensitiveWholeKeys = set("nationalid", "nationalidentifier", "nationalidnumber", "taxid",
		"socialsecuritynumber", "passportnumber", "bankaccount", "bankaccountnumber")
	metadataSuffixes = set("id", "ids", "count", "counts", "total", "len", "length", "size", "type", "types",
		"kind", "status", "state", "source", "field", "fields", "attr", "attribute", "attributes", "column",
		"present", "set", "valid", "verified", "enabled", "required", "configured", "expiry", "expires",
		"expiration", "ttl", "url", "uri", "endpoint", "path", "file", "env", "var", "ref", "refs",
		"version", "scheme", "format", "mode")
	sensitiveWords = set("token", "tokens", "secret", "secrets", "password", "passwords", "passwd", "pwd",
		"passphrase", "passcode", "apikey", "apikeys", "authorization", "credential", "credentials",
		"cookie", "cookies", "bearer", "otp", "pem",
		"email", "emails", "mail", "phone", "phones", "mobile", "telephone", "fax",
		"dob", "birth", "birthday", "birthdate", "ssn", "salary", "iban")
	sensitiveParts = []string{"password", "passwd", "secret", "token", "apikey", "credential",
		"authorization", "cookie", "email", "phone", "birth"}
	keyQualifiers = set("api", "private", "secret", "signing", "sign", "client", "encryption", "encrypt",
		"decryption", "access", "ssh", "tls", "master", "session", "hmac", "seal", "sealing", "shared",
		"symmetric", "aes", "rsa", "ecdsa", "license", "webhook")
	keyMaterial       = set("material", "data", "pem", "der", "bytes", "b64", "base64", "hex")
	networkQualifiers = set("ip", "ipv", "mac", "host", "server", "listen", "listener", "bind",
		"local", "remote", "peer", "proxy", "frontend", "backend", "grpc", "http", "https", "ui", "web",
		"net", "network", "socket", "dial", "temporal", "broadcast", "gateway", "node", "pod", "metrics",
		"health", "admin", "public", "target")
	personQualifiers = set("first", "last", "given", "family", "middle", "display", "full", "legal",
		"preferred", "nick", "maiden", "user", "employee", "person", "manager", "contact", "real",
		"birth", "formatted", "sur", "owner", "supervisor", "recipient", "sender", "member", "candidate")
	personNameWords = set("firstname", "lastname", "givenname", "familyname", "middlename", "displayname",
		"fullname", "surname", "surnames", "username", "nickname", "legalname", "preferredname",
		"maidenname", "forename", "forenames")
)

// IsSensitiveKey reports whether a log field or map key names a secret or
// a personal datum whose value must not be logged. The rule is described
// above; matching is by whole words, case-insensitively.
func IsSensitiveKey(key string) bool {
	words := keyWords(key)
	n := len(words)
	if n == 0 {
		return false
	}
	if sensitiveWholeKeys[strings.Join(words, "")] {
		return true
	}
	if n > 1 && metadataSuffixes[words[n-1]] {
		return false
	}
	for i, w := range words {
		if sensitiveWords[w] || personNameWords[w] {
			return true
		}
		for _, p := range sensitiveParts {
			if strings.Contains(w, p) {
				return true
			}
		}
		switch w {
		case "key", "keys":
			if (i > 0 && keyQualifiers[words[i-1]]) || (i+1 < n && keyMaterial[words[i+1]]) {
				return true
			}
		case "address", "addresses":
			j := i - 1
			for j >= 0 && isNumber(words[j]) {
				j-- // "ipv4Address": look past the 4
			}
			if j < 0 || !networkQualifiers[words[j]] {
				return true
			}
		}
	}
	if last := words[n-1]; last == "name" || last == "names" {
		return n == 1 || personQualifiers[words[n-2]]
	}
	return false
}

// keyWords splits key into lower-case words: "dateOfBirth" → [date of
// birth], "APIKey" → [api key], "access_token" → [access token],
// "oauth2Token" → [oauth 2 token].
func keyWords(key string) []string {
	var words []string
	rs := []rune(key)
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			words = append(words, strings.ToLower(string(rs[start:end])))
		}
		start = -1
	}
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush(i)
			continue
		}
		if start < 0 {
			start = i
			continue
		}
		prev := rs[i-1]
		switch {
		case unicode.IsDigit(r) != unicode.IsDigit(prev):
			flush(i) // letters ↔ digits
		case unicode.IsUpper(r) && unicode.IsLower(prev):
			flush(i) // camelCase hump
		case unicode.IsUpper(r) && unicode.IsUpper(prev) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
			flush(i) // end of an acronym: "APIKey" → API Key
		}
		if start < 0 {
			start = i
		}
	}
	flush(len(rs))
	return words
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// isNumber reports whether w is all digits.
func isNumber(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return w != ""
}

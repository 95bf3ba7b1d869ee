package codec

// Permits exposes permission parsing to the external tests: whether a
// permissions claim value allows op on namespace.
func Permits(claim any, namespace, op string) bool {
	return parsePermissions(claim).allow(namespace, op)
}

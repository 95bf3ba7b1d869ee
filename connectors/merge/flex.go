package merge

import "github.com/hrsync/hrsync/connectors/jsontext"

// text is a JSON value Merge documents as a string, read the way vendors
// actually fill it (see jsontext.Text: Merge's own examples send a phone
// number as 1234567890). bad says why the value cannot be read as text.
// Decoding never fails, so one odd field never costs a page.
type text struct {
	s   string
	bad string
}

// UnmarshalJSON reads any JSON value; see text.
func (t *text) UnmarshalJSON(b []byte) error {
	t.s, t.bad = jsontext.Text(b)
	return nil
}

// flag is a JSON value Merge documents as a boolean, read tolerantly (see
// jsontext.Flag), with null or nothing as false. bad says why the value
// cannot be read as true or false.
type flag struct {
	on  bool
	bad string
}

// UnmarshalJSON reads any JSON value; see flag.
func (f *flag) UnmarshalJSON(b []byte) error {
	f.on, _, f.bad = jsontext.Flag(b)
	return nil
}

package roster

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Selected reports whether field f is synced: every field is unless the
// rules exclude it, and the mandatory fields and the id always are.
func (r Rules) Selected(f Field) bool {
	if f == FieldID || r.mandatory(f) {
		return true
	}
	return !slices.Contains(r.Fields.Exclude, f)
}

// MandatoryFields lists the fields an active employee must have, besides
// the HRIS id which is always required.
func (r Rules) MandatoryFields() []Field {
	fields := []Field{FieldFirstName, FieldWorkEmail, FieldStatus}
	if r.RequireEmployeeNumber {
		fields = append(fields, FieldEmployeeNumber)
	}
	return fields
}

func (r Rules) mandatory(f Field) bool {
	return f == FieldFirstName || f == FieldWorkEmail || f == FieldStatus ||
		(f == FieldEmployeeNumber && r.RequireEmployeeNumber)
}

// WithDefaults returns r with every unset policy at its documented default.
func (r Rules) WithDefaults() Rules {
	if r.Hierarchy == "" {
		r.Hierarchy = HierarchyBlock
	}
	if r.Vanished == "" {
		r.Vanished = VanishedFormer
	}
	if r.Privacy.Threshold == 0 {
		r.Privacy.Threshold = defaultPrivacyThreshold
	}
	r.MassChange = r.MassChange.withDefaults()
	return r
}

// dateFields are the fields Normalize parses rather than copies.
var dateFields = []Field{FieldDateOfBirth, FieldDateOfJoining, FieldExitDate}

// dateFormatName returns the configured format name of date field f.
func (r Rules) dateFormatName(f Field) string {
	switch f {
	case FieldDateOfBirth:
		return r.DateFormats.DateOfBirth
	case FieldDateOfJoining:
		return r.DateFormats.DateOfJoining
	}
	return r.DateFormats.ExitDate
}

// Normalize turns a source record into an Employee under the rules:
// mapping applied, values trimmed, dates parsed in their configured formats,
// the status made canonical (through the status map first). Unselected
// fields are never read. A value that cannot be read — one the connector
// could not read, a date that is not one, a status that maps to none — is
// reported as one Problem, left unset and listed in Employee.Unreadable, so
// that validation does not report it again. Problems name the HRIS id and
// the field, never the person.
func (r Rules) Normalize(rec Record) (Employee, []Problem) {
	if len(rec.ID) > MaxValueBytes {
		rec.ID = rec.ID[:64] + "…"
		return Employee{ID: rec.ID, Unreadable: []Field{FieldID}}, []Problem{{EmployeeID: rec.ID, Field: FieldID,
			Code: CodeTooLong, Message: fmt.Sprintf("the HRIS id is longer than %d bytes", MaxValueBytes)}}
	}
	id := strings.TrimSpace(rec.ID)
	e := Employee{ID: id, DateOfBirthDigest: rec.DateOfBirthDigest}
	var problems []Problem
	report := func(f Field, code, msg string) {
		problems = append(problems, Problem{EmployeeID: id, Field: f, Code: code, Message: msg})
		e.Unreadable = append(e.Unreadable, f)
	}
	targets := r.targets(rec)
	if why, ok := rec.Unreadable[WholeRecord]; ok {
		problems = append(problems, Problem{EmployeeID: id, Code: CodeUnreadable,
			Message: "the record could not be read: " + why})
		e.Unreadable = append([]Field{FieldID}, targets...)
		return e, problems
	}
	for _, f := range targets {
		if src, why, bad := r.unreadable(rec, f); bad {
			if src != string(f) {
				why = src + ": " + why
			}
			report(f, CodeUnreadable, fmt.Sprintf("%s could not be read: %s", f, why))
			continue
		}
		value := r.value(rec, f)
		if len(value) > MaxValueBytes {
			report(f, CodeTooLong, fmt.Sprintf("%s is %d bytes long; at most %d are taken", f, len(value), MaxValueBytes))
			continue
		}
		switch {
		case slices.Contains(dateFields, f):
			if err := r.setDate(&e, f, value); err != nil {
				report(f, CodeInvalidDate, err.Error())
			}
		case f == FieldStatus:
			st, err := r.status(rec)
			if err != nil {
				report(f, CodeInvalidStatus, err.Error())
				continue
			}
			e.Status = st
		default:
			// Cannot fail: targets holds text fields and well-formed custom fields.
			_ = e.Set(f, value)
		}
	}
	return e, problems
}

// unreadable reports whether a source field that target field f reads
// could not be read by the connector, naming that source field and why.
func (r Rules) unreadable(rec Record, f Field) (string, string, bool) {
	if len(rec.Unreadable) == 0 {
		return "", "", false
	}
	sources := []string{string(f)}
	if m := r.ruleFor(f); m != nil {
		sources = m.From
	} else if f == FieldStatus {
		sources = append(sources, ValueStatusRaw)
	}
	for _, src := range sources {
		if why, ok := rec.Unreadable[src]; ok && src != WholeRecord {
			return src, why, true
		}
	}
	return "", "", false
}

// status reads rec's status: the vendor's word (the mapped value, else
// the connector's statusRaw, else its status) through the status map,
// else the status value as active or inactive in any case. Empty is
// allowed (it is a missing field); any other value is an error naming it.
func (r Rules) status(rec Record) (Status, error) {
	read := r.value(rec, FieldStatus)
	word := read
	if r.ruleFor(FieldStatus) == nil {
		if raw := strings.TrimSpace(rec.Values[ValueStatusRaw]); raw != "" {
			word = raw
		}
	}
	for k, st := range r.StatusMap {
		if word != "" && strings.EqualFold(strings.TrimSpace(k), word) {
			if st != StatusActive && st != StatusInactive {
				return "", fmt.Errorf("status %q is mapped to %q, which is not active or inactive", word, st)
			}
			return st, nil
		}
	}
	if read == "" && word != "" {
		read = word
	}
	var e Employee
	if err := e.Set(FieldStatus, read); err != nil {
		return "", fmt.Errorf("status %q is not active or inactive, nor in the source's statusMap", read)
	}
	return e.Status, nil
}

// targets lists the selected fields Normalize fills for rec: the catalogue
// but the id, then the custom fields the record (among its values or
// those it could not read) or a rule names, by key.
func (r Rules) targets(rec Record) []Field {
	var custom []Field
	for _, keys := range []map[string]string{rec.Values, rec.Unreadable} {
		for k := range keys {
			if len(k) > len(customPrefix) && strings.HasPrefix(k, customPrefix) && !slices.Contains(custom, Field(k)) {
				custom = append(custom, Field(k))
			}
		}
	}
	for _, m := range r.Mapping {
		if len(m.To) > len(customPrefix) && strings.HasPrefix(string(m.To), customPrefix) && !slices.Contains(custom, m.To) {
			custom = append(custom, m.To)
		}
	}
	slices.Sort(custom)
	var fields []Field
	for _, f := range append(slices.Clone(Catalogue), custom...) {
		if f != FieldID && r.Selected(f) {
			fields = append(fields, f)
		}
	}
	return fields
}

// value computes target field f's trimmed text from rec: through its
// mapping rule if it has one, else from the source value of the same name.
func (r Rules) value(rec Record, f Field) string {
	m := r.ruleFor(f)
	if m == nil {
		return strings.TrimSpace(rec.Values[string(f)])
	}
	sep := m.Separator
	if sep == "" {
		sep = " "
	}
	var parts []string
	for _, from := range m.From {
		if v := strings.TrimSpace(rec.Values[from]); v != "" {
			parts = append(parts, v)
		}
	}
	if len(parts) == 0 {
		return strings.TrimSpace(m.Default)
	}
	return strings.Join(parts, sep)
}

// setDate parses value as date field f in its configured format. The error
// names the field and format; only dates other than the date of birth echo
// the value.
func (r Rules) setDate(e *Employee, f Field, value string) error {
	format, err := ParseDateFormat(r.dateFormatName(f))
	if err != nil {
		return fmt.Errorf("%s: %w", f, err)
	}
	d, err := format.Parse(value)
	if err != nil {
		var de *dateError
		if errors.As(err, &de) {
			if f == FieldDateOfBirth {
				return fmt.Errorf("%s %s", f, de.what())
			}
			return fmt.Errorf("%s %q %s", f, de.value, de.what())
		}
		return fmt.Errorf("%s: %w", f, err)
	}
	switch f {
	case FieldDateOfBirth:
		e.DateOfBirth = d
	case FieldDateOfJoining:
		e.DateOfJoining = d
	case FieldExitDate:
		e.ExitDate = d
	}
	return nil
}

// Set sets a text or custom field to value as given. The status must be
// active or inactive in any case (or empty); a custom field set to "" is
// removed. Dates are refused — they are parsed, not set — as are unknown
// fields.
func (e *Employee) Set(f Field, value string) error {
	switch f {
	case FieldID:
		e.ID = value
	case FieldEmployeeNumber:
		e.EmployeeNumber = value
	case FieldFirstName:
		e.FirstName = value
	case FieldLastName:
		e.LastName = value
	case FieldPreferredName:
		e.PreferredName = value
	case FieldWorkEmail:
		e.WorkEmail = value
	case FieldPersonalEmail:
		e.PersonalEmail = value
	case FieldWorkPhone:
		e.WorkPhone = value
	case FieldManagerID:
		e.ManagerID = value
	case FieldDepartment:
		e.Department = value
	case FieldJobTitle:
		e.JobTitle = value
	case FieldLocation:
		e.Location = value
	case FieldEmploymentType:
		e.EmploymentType = value
	case FieldStatus:
		switch {
		case value == "":
			e.Status = ""
		case strings.EqualFold(value, string(StatusActive)):
			e.Status = StatusActive
		case strings.EqualFold(value, string(StatusInactive)):
			e.Status = StatusInactive
		default:
			return fmt.Errorf("status %q is not active or inactive", value)
		}
	case FieldDateOfBirth, FieldDateOfJoining, FieldExitDate:
		return fmt.Errorf("%s is a date: parse it with a DateFormat", f)
	default:
		key, ok := strings.CutPrefix(string(f), customPrefix)
		if !ok || key == "" {
			return fmt.Errorf("unknown field %q", f)
		}
		e.setCustom(key, value)
	}
	return nil
}

// setCustom sets custom attribute key, dropping it (and an emptied map)
// when value is "".
func (e *Employee) setCustom(key, value string) {
	if value == "" {
		delete(e.Custom, key)
		if len(e.Custom) == 0 {
			e.Custom = nil
		}
		return
	}
	if e.Custom == nil {
		e.Custom = make(map[string]string)
	}
	e.Custom[key] = value
}

// Excluded reports whether the filters or the start-date horizon leave e
// out of the sync, and why. The reason names the filter and field and shows
// only the filtered field's value. The rules are assumed to pass Check.
func (r Rules) Excluded(e Employee, today Date) (bool, string) {
	for i, flt := range r.Filters {
		value := strings.TrimSpace(e.Get(flt.Field))
		shown := value
		if shown == "" {
			shown = "empty"
		}
		matches := flt.matches(value)
		switch {
		case flt.Action == FilterExclude && matches:
			return true, fmt.Sprintf("filters[%d]: %s is %s", i, flt.Field, shown)
		case flt.Action == FilterInclude && !matches:
			return true, fmt.Sprintf("filters[%d]: %s is %s, which is not included", i, flt.Field, shown)
		}
	}
	if r.MaxDaysBeforeStart > 0 && !today.IsZero() && !e.DateOfJoining.IsZero() {
		if n := daysBetween(today, e.DateOfJoining); n > r.MaxDaysBeforeStart {
			return true, fmt.Sprintf("starts in %d days, more than %d", n, r.MaxDaysBeforeStart)
		}
	}
	return false, ""
}

// matches compares a trimmed field value with the filter, ignoring case.
func (flt Filter) matches(value string) bool {
	anyEqual := slices.ContainsFunc(flt.Values, func(v string) bool {
		return strings.EqualFold(strings.TrimSpace(v), value)
	})
	switch flt.Op {
	case OpEquals, OpIn:
		return anyEqual
	case OpNotEquals, OpNotIn:
		return !anyEqual
	case OpContains:
		lower := strings.ToLower(value)
		return slices.ContainsFunc(flt.Values, func(v string) bool {
			return strings.Contains(lower, strings.ToLower(strings.TrimSpace(v)))
		})
	case OpEmpty:
		return value == ""
	case OpNotEmpty:
		return value != ""
	}
	return false
}

// daysBetween counts the days from a to b, negative when b is earlier. The
// time.Time values exist only for the arithmetic.
func daysBetween(a, b Date) int {
	ta := time.Date(a.Year, a.Month, a.Day, 0, 0, 0, 0, time.UTC)
	tb := time.Date(b.Year, b.Month, b.Day, 0, 0, 0, 0, time.UTC)
	return int((tb.Unix() - ta.Unix()) / 86400)
}

// Check validates the rules as configuration and returns every problem
// joined, each prefixed with its config path (e.g. mapping[1].to).
func (r Rules) Check() error {
	var errs []error
	add := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
	}
	for _, f := range r.Fields.Exclude {
		switch {
		case !knownField(f):
			add("fields.exclude", "unknown field %q", f)
		case f == FieldID || r.mandatory(f):
			add("fields.exclude", "%s is mandatory and cannot be unselected", f)
		}
	}
	for i, m := range r.Mapping {
		path := fmt.Sprintf("mapping[%d]", i)
		switch {
		case m.To == FieldID:
			add(path+".to", "the HRIS id cannot be a mapping target")
		case !knownField(m.To):
			add(path+".to", "unknown field %q", m.To)
		}
		if j := slices.IndexFunc(r.Mapping[:i], func(o MapRule) bool { return o.To == m.To }); j >= 0 {
			add(path+".to", "%s is already mapped by mapping[%d]", m.To, j)
		}
		if len(m.From) == 0 && m.Default == "" {
			add(path, "needs from or default")
		}
		for j, from := range m.From {
			if strings.TrimSpace(from) == "" {
				add(fmt.Sprintf("%s.from[%d]", path, j), "empty source field name")
			}
		}
	}
	for _, df := range []struct{ path, name string }{
		{"dateFormats.dateOfBirth", r.DateFormats.DateOfBirth},
		{"dateFormats.dateOfJoining", r.DateFormats.DateOfJoining},
		{"dateFormats.exitDate", r.DateFormats.ExitDate},
	} {
		if _, err := ParseDateFormat(df.name); err != nil {
			add(df.path, "%v", err)
		}
	}
	for i, flt := range r.Filters {
		errs = append(errs, r.checkFilter(fmt.Sprintf("filters[%d]", i), flt)...)
	}
	if r.Hierarchy != "" && r.Hierarchy != HierarchyBlock && r.Hierarchy != HierarchySkip {
		add("hierarchy", "unknown policy %q (block or skip)", r.Hierarchy)
	}
	if r.Vanished != "" && r.Vanished != VanishedFormer && r.Vanished != VanishedDeactivate {
		add("vanished", "unknown policy %q (former or deactivate)", r.Vanished)
	}
	if r.MaxDaysBeforeStart < 0 {
		add("maxDaysBeforeStart", "must not be negative")
	}
	if r.Privacy.Threshold > len(identity) {
		add("privacy.threshold", "%d is more than the %d identity attributes (name, date of birth, work email)",
			r.Privacy.Threshold, len(identity))
	}
	r.MassChange.check(add)
	return errors.Join(errs...)
}

// checkFilter validates one filter.
func (r Rules) checkFilter(path string, flt Filter) []error {
	var errs []error
	add := func(sub, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s.%s: %s", path, sub, fmt.Sprintf(format, args...)))
	}
	switch {
	case !knownField(flt.Field):
		add("field", "unknown field %q", flt.Field)
	case !r.Selected(flt.Field):
		// Unselected fields are never read, so the filter would see "".
		add("field", "%s is not selected, so the filter cannot see it", flt.Field)
	}
	switch flt.Op {
	case OpEquals, OpNotEquals, OpIn, OpNotIn, OpContains:
		if len(flt.Values) == 0 {
			add("values", "%s needs at least one value", flt.Op)
		}
	case OpEmpty, OpNotEmpty:
	default:
		add("op", "unknown operator %q (equals, notEquals, in, notIn, contains, empty or notEmpty)", flt.Op)
	}
	if flt.Action != FilterInclude && flt.Action != FilterExclude {
		add("action", "unknown action %q (include or exclude)", flt.Action)
	}
	return errs
}

// MaxValueBytes bounds one field's value. No name, email or department is
// this long; a longer value is a broken or hostile HRIS, and that
// employee's problem rather than something to store and send.
const MaxValueBytes = 4 << 10

// knownField reports whether f is a catalogue field or custom.<key>.
func knownField(f Field) bool {
	key, custom := strings.CutPrefix(string(f), customPrefix)
	return slices.Contains(Catalogue, f) || (custom && key != "")
}

// Package vrm parses and classifies UK vehicle registration marks (VRMs) as callers
// type or speak them: it normalises the input, recognises the current, prefix, suffix,
// dateless and Northern Ireland styles, explains in plain English why a mark is not
// valid, and suggests readings for commonly confused characters (0/O, 1/I, 5/S, 8/B, 2/Z).
//
// The rules follow the DVLA style groups: current, prefix, suffix, dateless, and Northern Ireland.
package vrm

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// Format is the DVLA style group a registration mark belongs to.
type Format string

// The formats a valid mark can have.
const (
	// Current is the 2001-onwards style, e.g. AB12 CDE.
	Current Format = "current"
	// Prefix is the 1983-2001 style with a leading year letter, e.g. A123 BCD (and Q plates).
	Prefix Format = "prefix"
	// Suffix is the 1963-1983 style with a trailing year letter, e.g. ABC 123D.
	Suffix Format = "suffix"
	// Dateless is the pre-1963 style, e.g. 1234 AB, AB 1234, ABC 123.
	Dateless Format = "dateless"
	// NorthernIreland is the dateless Northern Ireland style, e.g. ABZ 1234 or IA 1234.
	NorthernIreland Format = "northern_ireland"
)

// MaxLen is the greatest number of characters in a normalised UK registration mark.
const MaxLen = 7

// Letter classes used below (Go's RE2 has no look-ahead, so exclusions are spelled out):
//
//	[A-HJ-PR-Y]   any letter but I, Q, Z
//	[A-HJ-PR-Z]   any letter but I, Q (the last three letters of a current mark)
//	[A-HJ-NPR-TV-Y] a year letter: any letter but I, O, Q, U, Z
//	[1-9][0-9]{0,2} a number of 1 to 3 digits that does not start with 0
var (
	reCurrent = regexp.MustCompile(`^[A-HJ-PR-Y]{2}([0-9]{2})[A-HJ-PR-Z]{3}$`)
	rePrefix  = regexp.MustCompile(`^[A-HJ-NPR-TV-Y][1-9][0-9]{0,2}[A-HJ-PR-Y]{3}$`)
	// reQPlate matches Q plates (Q123 ABC), issued when a vehicle's age cannot be
	// determined. The DVLA reference leaves them out, but such vehicles do park, so
	// they are accepted and reported as Prefix, the shape they share.
	reQPlate = regexp.MustCompile(`^Q[1-9][0-9]{0,2}[A-HJ-PR-Y]{3}$`)
	reSuffix = regexp.MustCompile(`^[A-HJ-PR-Y]{3}[1-9][0-9]{0,2}[A-HJ-NPR-TV-Y]$`)
	// reNI matches AXX 1234 and XX 1234, where the county code XX contains I or Z and
	// the optional serial letter A is neither I nor Z (nor Q, which NI does not issue).
	reNI         = regexp.MustCompile(`^[A-HJ-PR-Y]?(?:[IZ][A-HJ-PR-Z]|[A-HJ-PR-Z][IZ])[1-9][0-9]{0,3}$`)
	reNILetters  = regexp.MustCompile(`^[A-HJ-PR-Y]?(?:[IZ][A-HJ-PR-Z]|[A-HJ-PR-Z][IZ])$`)
	reDatelessLD = regexp.MustCompile(`^[A-HJ-PR-Y]{1,3}[1-9][0-9]{0,3}$`)
	reDatelessDL = regexp.MustCompile(`^[1-9][0-9]{0,3}[A-HJ-PR-Y]{1,3}$`)
)

// ordinals names the character positions of a mark for spoken and written reasons.
var ordinals = [MaxLen]string{"first", "second", "third", "fourth", "fifth", "sixth", "seventh"}

// Fixed reasons a mark is not valid, worded so an IVR prompt or a text message can repeat
// them. Other reasons name the offending letter or age identifier.
const (
	// ReasonEmpty is given when nothing is left after normalising.
	ReasonEmpty = "it is empty"
	// ReasonTooLong is given when the normalised input is longer than MaxLen.
	ReasonTooLong = "it is longer than 7 characters"
	// ReasonCharacters is given when the input has anything but letters, digits and separators.
	ReasonCharacters = "it has characters other than letters and digits"
	// ReasonNoFormat is given when the input has the shape of no UK style.
	ReasonNoFormat = "it does not match any UK format"
	// ReasonLeadingZero is given when the digits of an otherwise well-shaped mark start with 0.
	ReasonLeadingZero = "the number in it never starts with 0"
)

// Normalise upper-cases s and drops spaces, '-', '.' and all other white space.
// Only ASCII letters are upper-cased, so no non-ASCII rune can turn into a valid letter.
func Normalise(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '-' || r == '.' || unicode.IsSpace(r):
			continue
		case 'a' <= r && r <= 'z':
			r -= 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Mark is a valid, normalised UK registration mark and its format.
type Mark struct {
	Text   string // normalised, e.g. AB12CDE
	Format Format
}

// String returns the normalised text of the mark, e.g. AB12CDE.
func (m Mark) String() string { return m.Text }

// Spaced returns the mark as it is written on a plate, e.g. "AB12 CDE", "A123 BCD",
// "ABC 123D", "ABZ 1234", "1234 AB"; it returns Text unchanged if Text does not fit Format.
func (m Mark) Spaced() string {
	cuts := groupStarts(m.Text)
	var at int
	switch m.Format {
	case Current, Prefix:
		// Space before the final letter group: AB12 CDE, A123 BCD.
		if len(cuts) != 2 {
			return m.Text
		}
		at = cuts[1]
	case Suffix, NorthernIreland, Dateless:
		// Space after the first group: ABC 123D, ABZ 1234, 1234 AB.
		if len(cuts) < 1 {
			return m.Text
		}
		at = cuts[0]
	default:
		return m.Text
	}
	return m.Text[:at] + " " + m.Text[at:]
}

// groupStarts returns the byte offsets where s switches between ASCII letters and digits.
func groupStarts(s string) []int {
	var cuts []int
	for i := 1; i < len(s); i++ {
		if isDigit(s[i]) != isDigit(s[i-1]) {
			cuts = append(cuts, i)
		}
	}
	return cuts
}

// InvalidError reports an input that is not a valid UK registration mark.
type InvalidError struct {
	Input  string // the input as given, before normalising
	Reason string // plain English, e.g. "it is longer than 7 characters"
}

// Error returns e.g. `registration "AB00CDE" is not valid: the age identifier 00 is never issued`.
func (e *InvalidError) Error() string {
	return fmt.Sprintf("registration %q is not valid: %s", e.Input, e.Reason)
}

// Parse normalises s and returns it as a Mark, or an *InvalidError saying why it is not a
// valid UK registration mark.
func Parse(s string) (Mark, error) {
	t := Normalise(s)
	switch {
	case t == "":
		return Mark{}, &InvalidError{Input: s, Reason: ReasonEmpty}
	case !isAlnum(t):
		return Mark{}, &InvalidError{Input: s, Reason: ReasonCharacters}
	case len(t) > MaxLen:
		return Mark{}, &InvalidError{Input: s, Reason: ReasonTooLong}
	}
	if f, ok := classify(t); ok {
		return Mark{Text: t, Format: f}, nil
	}
	return Mark{}, &InvalidError{Input: s, Reason: diagnose(t)}
}

// classify returns the format of the normalised, alphanumeric text t, if it has one.
func classify(t string) (Format, bool) {
	if m := reCurrent.FindStringSubmatch(t); m != nil {
		return Current, issuedAge(m[1])
	}
	switch {
	case rePrefix.MatchString(t), reQPlate.MatchString(t):
		return Prefix, true
	case reSuffix.MatchString(t):
		return Suffix, true
	case reNI.MatchString(t):
		return NorthernIreland, true
	case reDatelessLD.MatchString(t), reDatelessDL.MatchString(t):
		return Dateless, true
	}
	return "", false
}

// issuedAge reports whether a current-format age identifier is ever issued: 02-49 and
// 51-99 are; 00, 01 and 50 are not.
func issuedAge(age string) bool {
	return age != "00" && age != "01" && age != "50"
}

// group is a run of letters or of digits in a mark.
type group struct {
	digits     bool
	start, end int
}

// diagnose explains why the normalised, alphanumeric text t (at most MaxLen long) is not
// valid, as precisely as its shape allows.
func diagnose(t string) string {
	var gs []group
	start := 0
	for _, end := range append(groupStarts(t), len(t)) {
		gs = append(gs, group{digits: isDigit(t[start]), start: start, end: end})
		start = end
	}
	n := func(i int) int { return gs[i].end - gs[i].start }
	shape := func(digitsFirst bool, lens ...[2]int) bool {
		if len(gs) != len(lens) || gs[0].digits != digitsFirst {
			return false
		}
		for i, l := range lens {
			if n(i) < l[0] || n(i) > l[1] {
				return false
			}
		}
		return true
	}
	var reason string
	switch {
	case shape(false, [2]int{2, 2}, [2]int{2, 2}, [2]int{3, 3}): // current: AB12 CDE
		reason = first(
			badLetters(t, 0, 2, "IQZ"),
			badLetters(t, 4, 7, "IQ"),
		)
		if reason == "" && !issuedAge(t[2:4]) {
			reason = fmt.Sprintf("the age identifier %s is never issued", t[2:4])
		}
	case shape(false, [2]int{1, 1}, [2]int{1, 3}, [2]int{3, 3}): // prefix: A123 BCD
		reason = first(
			badYearLetter(t[0], "IOUZ"), // a leading Q is a Q plate
			leadingZero(t, gs[1]),
			badLetters(t, gs[2].start, gs[2].end, "IQZ"),
		)
	case shape(false, [2]int{3, 3}, [2]int{1, 3}, [2]int{1, 1}): // suffix: ABC 123D
		reason = first(
			badLetters(t, 0, 3, "IQZ"),
			leadingZero(t, gs[1]),
			badYearLetter(t[len(t)-1], "IOQUZ"),
		)
	case shape(false, [2]int{1, 3}, [2]int{1, 4}): // dateless or NI: ABC 123, ABZ 1234
		letters := t[:gs[0].end]
		if !reNILetters.MatchString(letters) {
			// Letters fit neither style: blame a Q first (never used), else the first I or Z
			// (which, given no Q, is a serial letter or the lone letter).
			reason = first(badLetters(t, 0, gs[0].end, "Q"), badLetters(t, 0, gs[0].end, "IZ"))
		}
		reason = first(reason, leadingZero(t, gs[1]))
	case shape(true, [2]int{1, 4}, [2]int{1, 3}): // dateless: 1234 AB
		reason = first(leadingZero(t, gs[0]), badLetters(t, gs[1].start, gs[1].end, "IQZ"))
	}
	return first(reason, ReasonNoFormat)
}

// first returns the first non-empty reason.
func first(reasons ...string) string {
	for _, r := range reasons {
		if r != "" {
			return r
		}
	}
	return ""
}

// badLetters names the first letter of t[from:to] found in banned, with its position.
func badLetters(t string, from, to int, banned string) string {
	for i := from; i < to; i++ {
		if strings.IndexByte(banned, t[i]) >= 0 {
			return fmt.Sprintf("the letter %c is never used as the %s character", t[i], ordinals[i])
		}
	}
	return ""
}

// badYearLetter explains a year letter c that is in banned, if it is.
func badYearLetter(c byte, banned string) string {
	if strings.IndexByte(banned, c) >= 0 {
		return fmt.Sprintf("the letter %c is never used as a year letter", c)
	}
	return ""
}

// leadingZero explains a number group of t that starts with 0.
func leadingZero(t string, g group) string {
	if t[g.start] == '0' {
		return ReasonLeadingZero
	}
	return ""
}

// Confusables returns up to 3 valid marks, normalised, that s could have been meant as if
// some commonly confused characters (0/O, 1/I, 5/S, 8/B, 2/Z) were swapped; s itself is
// never among them. It is meant for an s that fails Parse, but works on any s (A812CDE is
// a valid prefix mark yet suggests AB12CDE). Readings with fewer swaps come first, then
// earlier swap positions; at most 64 readings are tried.
func Confusables(s string) []string {
	const (
		maxTried   = 64
		maxReturns = 3
	)
	t := Normalise(s)
	if t == "" || len(t) > MaxLen || !isAlnum(t) {
		return nil
	}
	var pos []int
	for i := 0; i < len(t); i++ {
		if _, ok := swapOf(t[i]); ok {
			pos = append(pos, i)
		}
	}
	var out []string
	tried := 0
	buf := []byte(t)
	// Try every combination of r swap positions, r = 1, 2, ..., in lexicographic order.
	for r := 1; r <= len(pos); r++ {
		idx := make([]int, r)
		for i := range idx {
			idx[i] = i
		}
		for {
			if tried == maxTried {
				return out
			}
			tried++
			copy(buf, t)
			for _, i := range idx {
				buf[pos[i]], _ = swapOf(buf[pos[i]])
			}
			if cand := string(buf); validText(cand) {
				out = append(out, cand)
				if len(out) == maxReturns {
					return out
				}
			}
			if !nextCombination(idx, len(pos)) {
				break
			}
		}
	}
	return out
}

// validText reports whether the normalised text t is a valid mark.
func validText(t string) bool {
	_, ok := classify(t)
	return ok
}

// nextCombination advances idx, a strictly increasing choice from 0..n-1, to the next one
// in lexicographic order, reporting false when idx was the last.
func nextCombination(idx []int, n int) bool {
	r := len(idx)
	i := r - 1
	for i >= 0 && idx[i] == n-r+i {
		i--
	}
	if i < 0 {
		return false
	}
	idx[i]++
	for j := i + 1; j < r; j++ {
		idx[j] = idx[j-1] + 1
	}
	return true
}

// swapOf returns the character commonly confused with c, if there is one.
func swapOf(c byte) (byte, bool) {
	switch c {
	case '0':
		return 'O', true
	case 'O':
		return '0', true
	case '1':
		return 'I', true
	case 'I':
		return '1', true
	case '5':
		return 'S', true
	case 'S':
		return '5', true
	case '8':
		return 'B', true
	case 'B':
		return '8', true
	case '2':
		return 'Z', true
	case 'Z':
		return '2', true
	}
	return 0, false
}

// isAlnum reports whether s is made only of ASCII upper-case letters and digits.
func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) && (s[i] < 'A' || s[i] > 'Z') {
			return false
		}
	}
	return true
}

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// Package phone turns caller IDs and typed telephone numbers into E.164 form
// (+447700900123), tells UK mobiles from other numbers, and formats numbers for logs
// (masked) and for reading out (UK national format). It wraps
// github.com/nyaruka/phonenumbers with the UK as the default region.
package phone

import (
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// DefaultRegion is the region assumed for numbers written without a country code.
const DefaultRegion = "GB"

// ukCountryCode is the country calling code of the UK (and the Crown Dependencies).
const ukCountryCode = 44

// Ofcom reserves 07700 900000 to 07700 900999 for drama (TV, film, test data), and
// 01632 960000 to 01632 960999 as their geographic (landline) counterpart. The library's
// metadata does not treat them as valid numbers, but they are well-formed UK numbers and
// the service's tests and demos use them, so they are accepted: the first as mobiles,
// the second as landlines.
const (
	dramaFirst         = 7700900000 // national significant number of 07700 900000
	dramaLast          = 7700900999 // national significant number of 07700 900999
	dramaLandlineFirst = 1632960000 // national significant number of 01632 960000
	dramaLandlineLast  = 1632960999 // national significant number of 01632 960999
)

// InvalidError reports an input that is not a usable telephone number.
type InvalidError struct {
	Input  string // the input as given
	Reason string // plain English, e.g. "the number was withheld"
	Err    error  // the library's error, if it gave one
}

// Error returns e.g. `phone number "anonymous" is not valid: the number was withheld`;
// input with any digit in it is masked, so the message is safe to log.
func (e *InvalidError) Error() string {
	in := e.Input
	if strings.ContainsAny(in, "0123456789") {
		in = Mask(in)
	}
	if e.Err != nil {
		return fmt.Sprintf("phone number %q is not valid: %s: %v", in, e.Reason, e.Err)
	}
	return fmt.Sprintf("phone number %q is not valid: %s", in, e.Reason)
}

// Typed returns the message of Error with the input shown as it was typed, e.g.
// `phone number "0770 090" is not valid: it is not a valid number`: for the person who
// typed it, never for a log.
func (e *InvalidError) Typed() string {
	return fmt.Sprintf("phone number %q is not valid: %s", e.Input, e.Reason)
}

// Unwrap returns the library's error, if any.
func (e *InvalidError) Unwrap() error { return e.Err }

// Reasons a number is not valid.
const (
	// ReasonEmpty is given for an empty or blank input.
	ReasonEmpty = "it is empty"
	// ReasonWithheld is given for the caller IDs carriers send in place of a number.
	ReasonWithheld = "the number was withheld"
	// ReasonCharacters is given for input with anything but digits, '+', spaces and ()-./.
	ReasonCharacters = "it has characters that are not part of a phone number"
	// ReasonNotNumber is given when the library cannot read a number at all.
	ReasonNotNumber = "it is not a phone number"
	// ReasonInvalid is given for a number no operator could have issued.
	ReasonInvalid = "it is not a valid number"
)

// Parse reads s as a telephone number, UK unless it has a country code ("+33 ...",
// "0033 ..."), and returns it in E.164 form, e.g. "07700 900123" gives "+447700900123".
// It rejects withheld caller IDs ("anonymous", "unknown"), SIP identities
// ("client:alice"), vanity letters and extensions, and numbers that are not valid.
func Parse(s string) (string, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return "", &InvalidError{Input: s, Reason: ReasonEmpty}
	}
	if isWithheld(t) {
		return "", &InvalidError{Input: s, Reason: ReasonWithheld}
	}
	if !plainNumber(t) {
		return "", &InvalidError{Input: s, Reason: ReasonCharacters}
	}
	n, err := phonenumbers.Parse(t, DefaultRegion)
	if err != nil {
		return "", &InvalidError{Input: s, Reason: ReasonNotNumber, Err: err}
	}
	if !phonenumbers.IsValidNumber(n) && !isDrama(n) && !isDramaLandline(n) {
		return "", &InvalidError{Input: s, Reason: ReasonInvalid}
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// isWithheld reports whether s is one of the placeholders carriers and Twilio send as
// the caller ID when there is no number to give.
func isWithheld(s string) bool {
	switch strings.ToLower(s) {
	case "anonymous", "unknown", "private", "restricted", "withheld", "unavailable":
		return true
	}
	return false
}

// plainNumber reports whether s has only digits, a '+', spaces and the punctuation
// people write numbers with. The library would otherwise read letters as vanity digits
// (0800 FLOWERS) and drop text after the number.
func plainNumber(s string) bool {
	for _, r := range s {
		switch {
		case '0' <= r && r <= '9':
		case strings.ContainsRune("+ ()-./", r):
		default:
			return false
		}
	}
	return true
}

// isDrama reports whether n is in Ofcom's 07700 900xxx (mobile) drama range.
func isDrama(n *phonenumbers.PhoneNumber) bool {
	nsn := n.GetNationalNumber()
	return n.GetCountryCode() == ukCountryCode && !n.GetItalianLeadingZero() &&
		dramaFirst <= nsn && nsn <= dramaLast
}

// isDramaLandline reports whether n is in Ofcom's 01632 960xxx (geographic) drama range.
func isDramaLandline(n *phonenumbers.PhoneNumber) bool {
	nsn := n.GetNationalNumber()
	return n.GetCountryCode() == ukCountryCode && !n.GetItalianLeadingZero() &&
		dramaLandlineFirst <= nsn && nsn <= dramaLandlineLast
}

// parseE164 reads a number Parse returned; national UK input is tolerated.
func parseE164(e164 string) (*phonenumbers.PhoneNumber, bool) {
	if strings.TrimSpace(e164) == "" {
		return nil, false
	}
	n, err := phonenumbers.Parse(e164, DefaultRegion)
	if err != nil {
		return nil, false
	}
	return n, true
}

// IsMobile reports whether e164 is a mobile number: for the UK (+44) only numbers of type
// MOBILE (and Ofcom's 07700 900xxx drama range); elsewhere MOBILE or FIXED_LINE_OR_MOBILE,
// where the library cannot tell the two apart. It is false for anything it cannot read.
func IsMobile(e164 string) bool {
	n, ok := parseE164(e164)
	if !ok {
		return false
	}
	if isDrama(n) {
		return true
	}
	switch phonenumbers.GetNumberType(n) {
	case phonenumbers.MOBILE:
		return true
	case phonenumbers.FIXED_LINE_OR_MOBILE:
		return n.GetCountryCode() != ukCountryCode
	}
	return false
}

// Mask hides all but the last four characters of e164 behind '*', keeping a leading
// '+': "+447700900123" gives "+********0123". Input with fewer than 8 characters after
// the '+' (so that at least half would show) gives "****".
func Mask(e164 string) string {
	const (
		shown  = 4
		minLen = 8
	)
	plus := strings.HasPrefix(e164, "+")
	rest := []rune(strings.TrimPrefix(e164, "+"))
	if len(rest) < minLen {
		return "****"
	}
	var b strings.Builder
	if plus {
		b.WriteByte('+')
	}
	b.WriteString(strings.Repeat("*", len(rest)-shown))
	b.WriteString(string(rest[len(rest)-shown:]))
	return b.String()
}

// National formats e164 for reading out or printing to a UK audience: UK numbers in
// national format ("07700 900123", "01223 457000"), other numbers in international
// format ("+33 6 12 34 56 78"). Input it cannot read is returned unchanged.
func National(e164 string) string {
	n, ok := parseE164(e164)
	if !ok {
		return e164
	}
	if n.GetCountryCode() == ukCountryCode {
		return phonenumbers.Format(n, phonenumbers.NATIONAL)
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}

// Callable reports whether the line may call e164 back: a UK number (mobile, geographic,
// non-geographic 03 or freephone), never premium-rate, shared-cost, personal or any other
// number a call to which costs the council more or reaches no one. When not, it says why.
func Callable(e164 string) (bool, string) {
	n, ok := parseE164(e164)
	if !ok {
		return false, ReasonNotNumber
	}
	if n.GetCountryCode() != ukCountryCode {
		return false, "it is not a UK number"
	}
	if isDrama(n) || isDramaLandline(n) {
		return true, ""
	}
	switch phonenumbers.GetNumberType(n) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE, phonenumbers.FIXED_LINE_OR_MOBILE,
		phonenumbers.UAN, phonenumbers.TOLL_FREE:
		return true, ""
	case phonenumbers.PREMIUM_RATE, phonenumbers.SHARED_COST:
		return false, "it is a premium-rate or shared-cost number"
	}
	return false, "it is not a number the line calls back"
}

package domain

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"permitline/domain/phone"
)

// AddressKey returns the form addresses are matched on, so "1 Test St." and
// "1 test street" are one address (R1, R4): lower case; apostrophes and full stops
// dropped ("St John's" reads as "st johns"); any other character that is not a letter or
// a digit read as a space; one space between words; and each word of addressWords
// replaced by the word it abbreviates. Both spellings of an address give the same key;
// the line shown to people stays as it was typed.
func AddressKey(line string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(line) {
		switch {
		case r == '\'' || r == '’' || r == '.':
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	words := strings.Fields(b.String())
	for i, w := range words {
		if full, ok := addressWords[w]; ok {
			words[i] = full
		}
	}
	return strings.Join(words, " ")
}

// addressWords maps common abbreviations in UK street addresses to the word each stands
// for. "St" is read as Street wherever it stands, so "St Johns
// Road" and "Saint Johns Road" are two addresses: both spellings of the first still match.
var addressWords = map[string]string{
	"st":        "street",
	"str":       "street",
	"rd":        "road",
	"ave":       "avenue",
	"av":        "avenue",
	"ln":        "lane",
	"cres":      "crescent",
	"cresc":     "crescent",
	"dr":        "drive",
	"ct":        "court",
	"pl":        "place",
	"sq":        "square",
	"gdns":      "gardens",
	"gdn":       "garden",
	"cl":        "close",
	"terr":      "terrace",
	"ter":       "terrace",
	"tce":       "terrace",
	"pk":        "park",
	"gr":        "grove",
	"apartment": "flat",
	"apt":       "flat",
}

// postcodeRE is the format of UK postcodes (Royal Mail's, as in BS 7666): an outward
// code A9, A99, A9A, AA9, AA99 or AA9A and an inward code 9AA, with the letters each
// position may hold (no Q, V or X first; no I, J or Z second; no C, I, K, M, O or V in
// the inward code). GIR 0AA is the one postcode outside it.
var postcodeRE = regexp.MustCompile(`^(?:` +
	`[A-PR-UWYZ][0-9][0-9]?` + // A9, A99
	`|[A-PR-UWYZ][0-9][A-HJKPSTUW]` + // A9A
	`|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?` + // AA9, AA99
	`|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]` + // AA9A
	`) [0-9][ABD-HJLNP-UW-Z]{2}$`)

// ParsePostcode normalises a UK postcode (upper case, one space before the inward code:
// "cb11aa" gives "CB1 1AA") and checks its format, refusing anything else with an
// InvalidInputError that shows what was typed.
func ParsePostcode(s string) (string, error) {
	pc := NormalisePostcode(s)
	switch {
	case pc == "":
		return "", &InvalidInputError{Field: "postcode", Reason: "is empty"}
	case pc == "GIR 0AA" || postcodeRE.MatchString(pc):
		return pc, nil
	}
	return "", &InvalidInputError{Field: "postcode", Reason: fmt.Sprintf(
		"%q is not a UK postcode; write it like CB1 1AA or CB11 1AA", strings.TrimSpace(s))}
}

// sameName reports whether two people's names are the same, case and spacing aside.
func sameName(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

// phoneInput turns a phone.Parse error into a refusal for the person at the keyboard,
// showing the number as they typed it (the phone package's own message masks it, for logs).
func phoneInput(err error) error {
	var pe *phone.InvalidError
	if errors.As(err, &pe) {
		return &InvalidInputError{Field: "phone", Reason: pe.Typed()}
	}
	return &InvalidInputError{Field: "phone", Reason: err.Error()}
}

package phone

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in     string
		want   string // E.164; empty when invalid
		reason string // expected InvalidError.Reason when invalid
	}{
		{in: "07700 900123", want: "+447700900123"},
		{in: "+44 7700 900123", want: "+447700900123"},
		{in: "0044 7700 900123", want: "+447700900123"},
		{in: "+44 (0)7700 900123", want: "+447700900123"},
		{in: "07700-900-123", want: "+447700900123"},
		// The library rejects Ofcom's 07700 900xxx drama range; Parse must not.
		{in: " 07700900000 ", want: "+447700900000"}, // first of the drama range
		{in: "07700900999", want: "+447700900999"},   // last of the drama range
		{in: "01223 457000", want: "+441223457000"},  // Cambridge landline
		{in: "0345 520 7007", want: "+443455207007"}, // 03 non-geographic
		{in: "020 7946 0018", want: "+442079460018"}, // London drama range, valid in metadata
		{in: "07911 123456", want: "+447911123456"},
		{in: "+33 6 12 34 56 78", want: "+33612345678"},
		{in: "+1 650 253 0000", want: "+16502530000"},
		{in: "", reason: ReasonEmpty},
		{in: "   ", reason: ReasonEmpty},
		{in: "anonymous", reason: ReasonWithheld},
		{in: "Unknown", reason: ReasonWithheld},
		{in: "client:alice", reason: ReasonCharacters},
		{in: "0800 FLOWERS", reason: ReasonCharacters},
		{in: "+447700900123x", reason: ReasonCharacters},
		{in: "12", reason: ReasonInvalid},
		{in: "07700 901000", reason: ReasonInvalid}, // just past the drama range
		{in: "0500 123456", reason: ReasonInvalid},  // range withdrawn
		{in: "+", reason: ReasonNotNumber},
		{in: "()", reason: ReasonNotNumber},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if tt.reason == "" {
			if err != nil || got != tt.want {
				t.Errorf("Parse(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		var ie *InvalidError
		if !errors.As(err, &ie) || ie.Reason != tt.reason || ie.Input != tt.in || got != "" {
			t.Errorf("Parse(%q) = %q, %v; want reason %q", tt.in, got, err, tt.reason)
		}
	}
}

func TestInvalidErrorMessage(t *testing.T) {
	tests := []struct{ in, want string }{
		{"anonymous", `phone number "anonymous" is not valid: the number was withheld`},
		{"07700 901000", `phone number "********1000" is not valid: it is not a valid number`},
		{"12", `phone number "****" is not valid: it is not a valid number`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q) error = %v, want %s", tt.in, err, tt.want)
		}
	}
	_, err := Parse("+")
	var ie *InvalidError
	if !errors.As(err, &ie) || ie.Err == nil || errors.Unwrap(err) != ie.Err {
		t.Errorf("Parse(+) error %v does not wrap the library's error", err)
	}
	if !strings.Contains(err.Error(), ReasonNotNumber) {
		t.Errorf("Parse(+) error %q lacks the reason", err)
	}
}

func TestIsMobile(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"+447700900123", true}, // drama range
		{"+447700900000", true},
		{"+447700900999", true},
		{"+447911123456", true},
		{"+447797712345", true},  // Jersey mobile
		{"+441223457000", false}, // landline
		{"+442079460018", false}, // landline
		{"+443455207007", false}, // 03
		{"+448001234567", false}, // freephone
		{"+33612345678", true},   // French mobile
		{"+33123456789", false},  // French landline
		{"+16502530000", true},   // US: fixed line or mobile
		{"07700 900123", true},   // national UK input is tolerated
		{"", false},
		{"anonymous", false},
		{"+", false},
	}
	for _, tt := range tests {
		if got := IsMobile(tt.in); got != tt.want {
			t.Errorf("IsMobile(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestMask(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+447700900123", "+********0123"},
		{"+33612345678", "+*******5678"},
		{"07700900123", "*******0123"},
		{"12345678", "****5678"},
		{"+12345678", "+****5678"},
		{"1234567", "****"},
		{"+1234", "****"},
		{"12", "****"},
		{"+", "****"},
		{"", "****"},
	}
	for _, tt := range tests {
		if got := Mask(tt.in); got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNational(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+447700900123", "07700 900123"},
		{"+441223457000", "01223 457000"},
		{"+442079460018", "020 7946 0018"},
		{"+443455207007", "0345 520 7007"},
		{"+447911123456", "07911 123456"},
		{"+33612345678", "+33 6 12 34 56 78"},
		{"+16502530000", "+1 650-253-0000"},
		{"anonymous", "anonymous"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := National(tt.in); got != tt.want {
			t.Errorf("National(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseThenFormat(t *testing.T) {
	// Every accepted number survives the E.164 round trip through National.
	for _, in := range []string{"07700 900123", "01223 457000", "0345 520 7007", "+33 6 12 34 56 78"} {
		e164, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		again, err := Parse(National(e164))
		if err != nil || again != e164 {
			t.Errorf("Parse(National(%q)) = %q, %v; want %q", e164, again, err, e164)
		}
	}
}

func TestOfcomDramaLandlinesAreLandlines(t *testing.T) {
	for _, in := range []string{"01632 960000", "01632 960123", "+44 1632 960999"} {
		e164, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if IsMobile(e164) {
			t.Errorf("%s is a landline, not a mobile", e164)
		}
	}
	if _, err := Parse("01632 961000"); err == nil {
		t.Error("01632 961000 is outside the drama range and not a real number")
	}
}

// Typed is for the person who typed the number: it shows it whole, where Error masks it.
func TestInvalidErrorTyped(t *testing.T) {
	tests := []struct{ in, want string }{
		{"07700 901000", `phone number "07700 901000" is not valid: it is not a valid number`},
		{"12", `phone number "12" is not valid: it is not a valid number`},
		{"0800 FLOWERS", `phone number "0800 FLOWERS" is not valid: ` + ReasonCharacters},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		var ie *InvalidError
		if !errors.As(err, &ie) {
			t.Fatalf("Parse(%q) error = %v", tt.in, err)
		}
		if got := ie.Typed(); got != tt.want {
			t.Errorf("Typed() = %s, want %s", got, tt.want)
		}
		if strings.Contains(err.Error(), tt.in) && strings.ContainsAny(tt.in, "0123456789") {
			t.Errorf("Error() %q shows the number", err)
		}
	}
}

func TestCallable(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"+447700900123", true},  // drama mobile
		{"+447911123456", true},  // mobile
		{"+441223457000", true},  // Cambridge landline
		{"+443455207007", true},  // 0345 non-geographic
		{"+448001111111", true},  // freephone
		{"+449098790000", false}, // premium rate
		{"+448448000000", false}, // shared cost
		{"+33612345678", false},  // France
		{"+12025550143", false},  // US
		{"", false},
	} {
		if got, why := Callable(c.in); got != c.want {
			t.Errorf("Callable(%q) = %v (%s), want %v", c.in, got, why, c.want)
		}
	}
}

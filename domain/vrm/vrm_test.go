package vrm

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestNormalise(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"ab12 cde", "AB12CDE"},
		{" AB 12 CDE ", "AB12CDE"},
		{"ab-12.cde", "AB12CDE"},
		{"ab\t12\ncde\u00a0", "AB12CDE"},
		{"ab12_cde", "AB12_CDE"},
		{"aé1", "Aé1"}, // only ASCII is upper-cased
		{"ſ", "ſ"},     // long s must not become S
	}
	for _, tt := range tests {
		if got := Normalise(tt.in); got != tt.want {
			t.Errorf("Normalise(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in     string
		want   Mark   // zero when invalid
		reason string // expected InvalidError.Reason when invalid
	}{
		// Current.
		{in: "ab12 cde", want: Mark{"AB12CDE", Current}},
		{in: "AB12CDE", want: Mark{"AB12CDE", Current}},
		{in: "AB12-CDE", want: Mark{"AB12CDE", Current}},
		{in: "AB 12 CDE", want: Mark{"AB12CDE", Current}},
		{in: "ab.12.cde", want: Mark{"AB12CDE", Current}},
		{in: "YY02ZZZ", want: Mark{"YY02ZZZ", Current}},
		{in: "BD51SMR", want: Mark{"BD51SMR", Current}},
		{in: "AB49CDE", want: Mark{"AB49CDE", Current}},
		{in: "AB99CDE", want: Mark{"AB99CDE", Current}},
		{in: "AB12COE", want: Mark{"AB12COE", Current}}, // O is fine in current marks
		{in: "AB00CDE", reason: "the age identifier 00 is never issued"},
		{in: "AB01CDE", reason: "the age identifier 01 is never issued"},
		{in: "AB50CDE", reason: "the age identifier 50 is never issued"},
		{in: "AI12CDE", reason: "the letter I is never used as the second character"},
		{in: "QA12CDE", reason: "the letter Q is never used as the first character"},
		{in: "ZA12CDE", reason: "the letter Z is never used as the first character"},
		{in: "AB12CDI", reason: "the letter I is never used as the seventh character"},
		{in: "AB12QDE", reason: "the letter Q is never used as the fifth character"},
		// Prefix, including Q plates.
		{in: "A123BCD", want: Mark{"A123BCD", Prefix}},
		{in: "a1 bcd", want: Mark{"A1BCD", Prefix}},
		{in: "Y99XYZ", reason: "the letter Z is never used as the sixth character"},
		{in: "Q123ABC", want: Mark{"Q123ABC", Prefix}},
		{in: "O123BCD", reason: "the letter O is never used as a year letter"},
		{in: "U123BCD", reason: "the letter U is never used as a year letter"},
		{in: "A012BCD", reason: ReasonLeadingZero},
		{in: "A123BID", reason: "the letter I is never used as the sixth character"},
		// Suffix.
		{in: "ABC123D", want: Mark{"ABC123D", Suffix}},
		{in: "abc 1d", want: Mark{"ABC1D", Suffix}},
		{in: "ABC123O", reason: "the letter O is never used as a year letter"},
		{in: "ABC123Q", reason: "the letter Q is never used as a year letter"},
		{in: "AQC123D", reason: "the letter Q is never used as the second character"},
		{in: "ABC012D", reason: ReasonLeadingZero},
		// Northern Ireland.
		{in: "ABZ1234", want: Mark{"ABZ1234", NorthernIreland}},
		{in: "ABZ 1", want: Mark{"ABZ1", NorthernIreland}},
		{in: "IA 1234", want: Mark{"IA1234", NorthernIreland}},
		{in: "DIL 123", want: Mark{"DIL123", NorthernIreland}},
		{in: "OIB 5", want: Mark{"OIB5", NorthernIreland}},
		{in: "ZAB1234", reason: "the letter Z is never used as the first character"},
		{in: "IAB123", reason: "the letter I is never used as the first character"},
		{in: "ABZ0123", reason: ReasonLeadingZero},
		{in: "AQZ123", reason: "the letter Q is never used as the second character"},
		// Dateless.
		{in: "1234AB", want: Mark{"1234AB", Dateless}},
		{in: "1 A", want: Mark{"1A", Dateless}},
		{in: "AB1234", want: Mark{"AB1234", Dateless}},
		{in: "ABC123", want: Mark{"ABC123", Dateless}},
		{in: "ABC 1234", want: Mark{"ABC1234", Dateless}},
		{in: "A1", want: Mark{"A1", Dateless}},
		{in: "0123AB", reason: ReasonLeadingZero},
		{in: "AB0123", reason: ReasonLeadingZero},
		{in: "123ABQ", reason: "the letter Q is never used as the sixth character"},
		{in: "I1", reason: "the letter I is never used as the first character"},
		{in: "Q1", reason: "the letter Q is never used as the first character"},
		// Not a mark at all.
		{in: "", reason: ReasonEmpty},
		{in: " - . ", reason: ReasonEmpty},
		{in: "AB12CDEF", reason: ReasonTooLong},
		{in: "AB12_CD", reason: ReasonCharacters},
		{in: "AB12CDÉ", reason: ReasonCharacters},
		{in: "ABCD", reason: ReasonNoFormat},
		{in: "1234", reason: ReasonNoFormat},
		{in: "AB12345", reason: ReasonNoFormat},
		{in: "A1B2C3", reason: ReasonNoFormat},
		{in: "ABCD123", reason: ReasonNoFormat},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if tt.reason == "" {
			if err != nil || got != tt.want {
				t.Errorf("Parse(%q) = %+v, %v; want %+v, nil", tt.in, got, err, tt.want)
			}
			continue
		}
		var ie *InvalidError
		if !errors.As(err, &ie) {
			t.Errorf("Parse(%q) = %+v, %v; want *InvalidError %q", tt.in, got, err, tt.reason)
			continue
		}
		if ie.Reason != tt.reason || ie.Input != tt.in || got != (Mark{}) {
			t.Errorf("Parse(%q) = %+v, %+v; want reason %q", tt.in, got, ie, tt.reason)
		}
	}
}

func TestInvalidErrorMessage(t *testing.T) {
	_, err := Parse("ab00 cde")
	want := `registration "ab00 cde" is not valid: the age identifier 00 is never issued`
	if err == nil || err.Error() != want {
		t.Errorf("Parse error = %v, want %s", err, want)
	}
}

func TestSpaced(t *testing.T) {
	tests := []struct {
		in, want string
		format   Format
	}{
		{"ab12cde", "AB12 CDE", Current},
		{"A123BCD", "A123 BCD", Prefix},
		{"A1BCD", "A1 BCD", Prefix},
		{"Q12ABC", "Q12 ABC", Prefix},
		{"ABC123D", "ABC 123D", Suffix},
		{"ABC1D", "ABC 1D", Suffix},
		{"ABZ1234", "ABZ 1234", NorthernIreland},
		{"IA1", "IA 1", NorthernIreland},
		{"1234AB", "1234 AB", Dateless},
		{"AB1234", "AB 1234", Dateless},
		{"ABC123", "ABC 123", Dateless},
		{"1A", "1 A", Dateless},
	}
	for _, tt := range tests {
		m, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if m.Format != tt.format || m.Spaced() != tt.want {
			t.Errorf("Parse(%q) = %v %s, Spaced %q; want %s %q", tt.in, m, m.Format, m.Spaced(), tt.format, tt.want)
		}
		if m.String() != strings.ReplaceAll(tt.want, " ", "") {
			t.Errorf("Parse(%q).String() = %q", tt.in, m.String())
		}
	}
}

func TestSpacedMismatched(t *testing.T) {
	// Hand-built marks whose text does not fit the format must not panic.
	tests := []struct {
		m    Mark
		want string
	}{
		{Mark{}, ""},
		{Mark{"AB12CDE", ""}, "AB12CDE"},
		{Mark{"ABC", Current}, "ABC"},
		{Mark{"ABC", Suffix}, "ABC"},
		{Mark{"1", Dateless}, "1"},
		{Mark{"AB12CDE", Suffix}, "AB 12CDE"},
	}
	for _, tt := range tests {
		if got := tt.m.Spaced(); got != tt.want {
			t.Errorf("%#v.Spaced() = %q, want %q", tt.m, got, tt.want)
		}
	}
}

func TestConfusables(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"A812CDE", []string{"AB12CDE"}},
		{"a8 12 cde", []string{"AB12CDE"}},
		{"AB1ZCDE", []string{"AB12CDE", "A812CDE"}},
		{"AB12CD3", nil},                                       // 3 is not confusable
		{"AB12CDE", []string{"A812CDE"}},                       // valid input still gets readings
		{"", nil},                                              // empty
		{"AB12CDE!", nil},                                      // not alphanumeric
		{"ABCDEFGH", nil},                                      // too long
		{"AB0OCDE", []string{"A800CDE"}},                       // AB00CDE has a never-issued age
		{"SB5ZCDE", []string{"SB52CDE", "S852CDE", "5852CDE"}}, // fewest swaps first
		{"AI12CDE", []string{"A112CDE"}},                       // a prefix mark
		{"0123AB", nil},                                        // O123AB, OI23AB, ... fit no format
		{"AB1OCDE", []string{"AB10CDE", "A810CDE"}},
		{"8D5ISMR", []string{"BD51SMR"}},
	}
	for _, tt := range tests {
		got := Confusables(tt.in)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Confusables(%q) = %q, want %q", tt.in, got, tt.want)
		}
		for _, c := range got {
			if _, err := Parse(c); err != nil {
				t.Errorf("Confusables(%q) suggested invalid %q: %v", tt.in, c, err)
			}
		}
	}
}

func TestConfusablesBounded(t *testing.T) {
	// Seven confusable characters: 127 readings, only 64 are tried, at most 3 returned.
	for _, in := range []string{"8888888", "0000000", "S5S5S5S", "IIIIIII", "Z2Z2Z2Z", "10S8Z0I"} {
		got := Confusables(in)
		if len(got) > 3 {
			t.Errorf("Confusables(%q) = %q, want at most 3", in, got)
		}
		if again := Confusables(in); !slices.Equal(got, again) {
			t.Errorf("Confusables(%q) not deterministic: %q then %q", in, got, again)
		}
	}
	// Many readings are valid: exactly three come back, fewest swaps first.
	got := Confusables("B0OOO")
	want := []string{"80OOO", "800OO", "8000O"}
	if !slices.Equal(got, want) {
		t.Errorf("Confusables(B0OOO) = %q, want %q", got, want)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "ab12 cde", "AB00CDE", "AI12CDE", "A123BCD", "ABC123D", "ABZ1234", "IA1234",
		"1234AB", "AB12CDEF", "AB12-CDE", "Q123ABC", "A812CDE", "\xff", "ſ", "ab\u00a012cde",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := Parse(s)
		if err != nil {
			var ie *InvalidError
			if !errors.As(err, &ie) || ie.Input != s || ie.Reason == "" {
				t.Fatalf("Parse(%q) error %v is not a complete *InvalidError", s, err)
			}
			for _, c := range Confusables(s) {
				if _, err := Parse(c); err != nil {
					t.Fatalf("Confusables(%q) suggested invalid %q: %v", s, c, err)
				}
			}
			return
		}
		if m.Text != Normalise(s) {
			t.Fatalf("Parse(%q).Text = %q, want Normalise = %q", s, m.Text, Normalise(s))
		}
		if m.Text == "" || len(m.Text) > MaxLen {
			t.Fatalf("Parse(%q).Text = %q has a bad length", s, m.Text)
		}
		for _, again := range []string{m.Text, m.Spaced()} {
			if m2, err := Parse(again); err != nil || m2 != m {
				t.Fatalf("Parse(%q) = %+v, %v; want round trip to %+v", again, m2, err, m)
			}
		}
		for _, c := range Confusables(s) {
			if c == m.Text {
				t.Fatalf("Confusables(%q) suggested the input itself", s)
			}
		}
	})
}

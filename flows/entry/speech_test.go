package entry

import (
	"strings"
	"testing"
)

func TestSpokenVRM(t *testing.T) {
	tests := []struct {
		speech string
		want   string // "" means ok is false
	}{
		// The forms in the brief.
		{"A B 1 2 C D E", "AB12CDE"},
		{"ab12 cde", "AB12CDE"},
		{"alpha bravo one two charlie delta echo", "AB12CDE"},
		{"Alfa Bravo 12 Charlie Delta Echo.", "AB12CDE"},
		{"a for apple b 12 c d e", "AB12CDE"},
		{"C for Charlie", "C"},

		// Letters, runs and punctuation.
		{"AB12CDE", "AB12CDE"},
		{"AB12 CDE", "AB12CDE"},
		{"A.B.1.2. C.D.E.", "AB12CDE"},
		{"AB-12-CDE", "AB12CDE"},
		{"ab, twelve, cde", "AB12CDE"},
		{"A B twelve C D E", "AB12CDE"},
		{"  a   b  ", "AB"},
		{"o", "O"},
		{"O 1", "O1"},

		// Fillers.
		{"It's AB12 CDE.", "AB12CDE"},
		{"it’s AB12 CDE", "AB12CDE"},
		{"My registration is AB12 CDE", "AB12CDE"},
		{"um, the registration is A B one two, C D E", "AB12CDE"},
		{"Erm my reg number is AB12CDE please", "AB12CDE"},
		{"the number plate is AB12 CDE thank you", "AB12CDE"},
		{"I think it's AB12 CDE", "AB12CDE"},
		{"registration for AB12CDE", "AB12CDE"},
		{"AB12 and CDE", "AB12CDE"},
		{"IA 1234", "IA1234"},
		{"I A 1 2 3 4", "IA1234"},

		// NATO words and their spellings.
		{"Alpha Bravo Charlie Delta Echo Foxtrot Golf Hotel", "ABCDEFGH"},
		{"India Juliet Kilo Lima Mike November Oscar Papa", "IJKLMNOP"},
		{"Quebec Romeo Sierra Tango Uniform Victor Whiskey", "QRSTUVW"},
		{"X-ray Yankee Zulu", "XYZ"},
		{"xray", "X"},
		{"x ray", "X"},
		{"X Ray Zulu", "XZ"},
		{"Juliett Whisky Alfa", "JWA"},
		{"Juliette", "J"},
		{"ALPHA BRAVO", "AB"},

		// Digits.
		{"zero one two three four five six seven", "01234567"},
		{"eight nine", "89"},
		{"oh", "0"},
		{"nought", "0"},
		{"naught", "0"},
		{"A B oh five C D E", "AB05CDE"},
		{"sixty two", "62"},
		{"sixty-two", "62"},
		{"A B seventy one C D E", "AB71CDE"},
		{"twenty", "20"},
		{"twenty oh", "200"},
		{"ten eleven nineteen", "101119"},
		{"thirteen", "13"},

		// Repeats.
		{"double two", "22"},
		{"double 2", "22"},
		{"A B double one C D E", "AB11CDE"},
		{"treble seven", "777"},
		{"triple 7", "777"},
		{"double A", "AA"},
		{"double alpha", "AA"},
		{"double x ray", "XX"},
		{"double you", "W"},
		{"A double you", "AW"},
		{"double double two", "22"},
		{"double um two", "2"},
		{"double ab", "AAB"},
		{"A B C double D", "ABCDD"},

		// Clarifications.
		{"M for Mike", "M"},
		{"S for sugar", "S"},
		{"X for x-ray", "X"},
		{"A for alpha B for bravo 1 2", "AB12"},
		{"C as in cat", "C"},
		{"B as in Bravo 12", "B12"},
		{"A for bravo", "AB"},
		{"AB12 for CDE", "AB12CDE"},
		{"a b c for", "ABC"},

		// Nothing usable, or too long.
		{"", ""},
		{"   ", ""},
		{"...", ""},
		{"um", ""},
		{"the registration is", ""},
		{"double", ""},
		{"double for", ""},
		{"for", ""},
		{"A B C D E F G H", "ABCDEFGH"},
		{"A B C D E F G H I", ""},
		{"ABCDEFGHI", ""},
		{"1 2 3 4 5 6 7 8 9", ""},
		{"treble treble treble", ""},
		{"triple seven triple seven triple seven", ""},
		{"\u212a", ""}, // the Kelvin sign is not K
		{"ＡＢ１２", ""},   // full-width forms are not letters or digits
		{"é", ""},
		{"ab\u00e912", "AB12"}, // other characters separate words
	}
	for _, tt := range tests {
		got, ok := SpokenVRM(tt.speech)
		if want := tt.want != ""; got != tt.want || ok != want {
			t.Errorf("SpokenVRM(%q) = %q, %v; want %q, %v", tt.speech, got, ok, tt.want, want)
		}
	}
}

func TestSpeechHints(t *testing.T) {
	want := "Alpha, Bravo, Charlie, Delta, Echo, Foxtrot, Golf, Hotel, India, Juliet, Kilo, Lima, " +
		"Mike, November, Oscar, Papa, Quebec, Romeo, Sierra, Tango, Uniform, Victor, Whiskey, " +
		"X-ray, Yankee, Zulu, zero, one, two, three, four, five, six, seven, eight, nine"
	if got := SpeechHints(); got != want {
		t.Errorf("SpeechHints() = %q, want %q", got, want)
	}
	// Every hint is understood as the one character it stands for.
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	for i, w := range strings.Split(SpeechHints(), ", ") {
		if got, ok := SpokenVRM(w); !ok || got != chars[i:i+1] {
			t.Errorf("SpokenVRM(%q) = %q, %v; want %q", w, got, ok, chars[i:i+1])
		}
	}
}

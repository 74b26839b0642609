package entry

import "strings"

// maxSpoken is the longest candidate SpokenVRM returns: one more than a registration can be,
// so that a misheard extra character reaches vrm.Parse and is explained there.
const maxSpoken = 8

// natoWords lists the NATO spelling alphabet in order, A to Z, as SpeechHints offers it.
var natoWords = [26]string{
	"Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India",
	"Juliet", "Kilo", "Lima", "Mike", "November", "Oscar", "Papa", "Quebec", "Romeo",
	"Sierra", "Tango", "Uniform", "Victor", "Whiskey", "X-ray", "Yankee", "Zulu",
}

// digitWords lists the words for the digits 0 to 9, as SpeechHints offers them.
var digitWords = [10]string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}

// spokenLetters maps the NATO words, with their common spellings, to their letters. X-ray
// arrives as "xray", or as "x" then "ray", which spokenWord handles.
var spokenLetters = map[string]byte{
	"alpha": 'A', "alfa": 'A', "bravo": 'B', "charlie": 'C', "delta": 'D', "echo": 'E',
	"foxtrot": 'F', "golf": 'G', "hotel": 'H', "india": 'I', "juliet": 'J', "juliett": 'J',
	"juliette": 'J', "kilo": 'K', "lima": 'L', "mike": 'M', "november": 'N', "oscar": 'O',
	"papa": 'P', "quebec": 'Q', "romeo": 'R', "sierra": 'S', "tango": 'T', "uniform": 'U',
	"victor": 'V', "whiskey": 'W', "whisky": 'W', "xray": 'X', "yankee": 'Y', "zulu": 'Z',
}

// spokenDigits maps the words for single digits to their digits.
var spokenDigits = map[string]byte{
	"zero": '0', "oh": '0', "nought": '0', "naught": '0',
	"one": '1', "two": '2', "three": '3', "four": '4', "five": '5',
	"six": '6', "seven": '7', "eight": '8', "nine": '9',
}

// spokenTeens maps ten to nineteen to their digits.
var spokenTeens = map[string]string{
	"ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14",
	"fifteen": "15", "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19",
}

// spokenTens maps twenty to ninety to their first digit; a digit word may follow
// ("sixty two" is 62).
var spokenTens = map[string]byte{
	"twenty": '2', "thirty": '3', "forty": '4', "fifty": '5',
	"sixty": '6', "seventy": '7', "eighty": '8', "ninety": '9',
}

// spokenRepeats maps the words that repeat the next character to how many times.
var spokenRepeats = map[string]int{"double": 2, "treble": 3, "triple": 3}

// spokenFillers are words said around a registration that are not part of it.
// Apostrophes are dropped before lookup, so "it's" is "its".
var spokenFillers = map[string]bool{
	"its": true, "it": true, "is": true, "was": true, "my": true, "our": true, "the": true,
	"registration": true, "registrations": true, "reg": true, "number": true, "plate": true,
	"numberplate": true, "vehicle": true, "car": true, "letter": true, "letters": true,
	"capital": true, "then": true, "space": true, "dash": true, "and": true, "so": true,
	"um": true, "umm": true, "uh": true, "uhh": true, "er": true, "erm": true, "ah": true,
	"eh": true, "hmm": true, "mm": true, "okay": true, "yeah": true, "yes": true,
	"please": true, "thanks": true, "thank": true, "you": true, "im": true, "think": true,
	"for": true,
}

// spokenIVerbs are the words after which a spoken "I" is the speaker, not a letter
// ("I think it's ...").
var spokenIVerbs = map[string]bool{"think": true, "believe": true, "guess": true, "am": true}

// SpokenVRM turns a speech transcript (Twilio's SpeechResult) of a registration into a
// candidate: upper case, letters and digits only. It understands single letters and runs
// of letters and digits ("ab12 cde"), the NATO alphabet ("alpha bravo", also "Alfa",
// "Juliett", "Whisky", "X-ray"), digit words ("zero", "oh" and "nought" are 0), ten to
// nineteen and twenty to ninety with an optional digit ("sixty two" is 62), "double" and
// "treble" or "triple" before a character ("double two" is 22; "double you" is W), and
// clarifications "C for Charlie" and "C as in cat" (kept when the word starts with the
// letter said). Punctuation and filler words ("it's", "my", "registration", "is", "the",
// "um" and so on) are ignored; any other word is taken as the letters it is spelt with.
// ok is false when nothing is left or the candidate is longer than 8 characters. The
// candidate is not checked to be a valid registration (vrm.Parse does that).
func SpokenVRM(speech string) (string, bool) {
	toks := spokenTokens(speech)
	var out []byte
	for i := 0; i < len(toks); {
		t := toks[i]
		next := tokenAt(toks, i+1)
		switch {
		case spokenRepeats[t] > 0:
			if next == "you" { // "double you" is W
				out = append(out, 'W')
				i += 2
				break
			}
			s, n := spokenWord(toks, i+1)
			if s == "" || spokenRepeats[next] > 0 || next == "for" {
				i++ // nothing to repeat: ignore the word
				break
			}
			out = append(out, strings.Repeat(s[:1], spokenRepeats[t])...)
			out = append(out, s[1:]...)
			i += 1 + n
		case t == "for":
			i += 1 + clarification(out, toks, i+1)
		case t == "as" && next == "in":
			if n := clarification(out, toks, i+2); n > 0 {
				i += 2 + n
				break
			}
			out = append(out, "ASIN"...)
			i += 2
		default:
			s, n := spokenWord(toks, i)
			out = append(out, s...)
			i += n
		}
		if len(out) > maxSpoken {
			return "", false
		}
	}
	if len(out) == 0 {
		return "", false
	}
	return string(out), true
}

// clarification returns how many tokens from toks[j] make up a word clarifying the last
// letter of out, as "Charlie" does in "C for Charlie", or 0 if toks[j] does not start with
// that letter.
func clarification(out []byte, toks []string, j int) int {
	if len(out) == 0 || j >= len(toks) {
		return 0
	}
	last := out[len(out)-1]
	if last < 'A' || last > 'Z' || toks[j][0] != last+('a'-'A') {
		return 0
	}
	_, n := spokenWord(toks, j)
	return n
}

// spokenWord returns the characters the word at toks[i] stands for, possibly none, and how
// many tokens it took (more than one for "x ray" and "sixty two").
func spokenWord(toks []string, i int) (string, int) {
	if i >= len(toks) {
		return "", 0
	}
	t, next := toks[i], tokenAt(toks, i+1)
	if c, ok := spokenLetters[t]; ok {
		return string(c), 1
	}
	if d, ok := spokenDigits[t]; ok {
		return string(d), 1
	}
	if s, ok := spokenTeens[t]; ok {
		return s, 1
	}
	if d, ok := spokenTens[t]; ok {
		if u, ok := spokenDigits[next]; ok && u != '0' {
			return string([]byte{d, u}), 2
		}
		return string([]byte{d, '0'}), 1
	}
	switch {
	case t == "x" && next == "ray":
		return "X", 2
	case t == "i" && spokenIVerbs[next]:
		return "", 1
	case spokenFillers[t], spokenRepeats[t] > 0:
		return "", 1
	}
	return strings.ToUpper(t), 1
}

// tokenAt returns toks[i], or "" past the end.
func tokenAt(toks []string, i int) string {
	if i < len(toks) {
		return toks[i]
	}
	return ""
}

// spokenTokens splits s into lower-case runs of ASCII letters and digits. Apostrophes are
// dropped ("it's" is "its"); every other character separates tokens.
func spokenTokens(s string) []string {
	var toks []string
	var b []byte
	for _, r := range s {
		switch {
		case 'A' <= r && r <= 'Z':
			b = append(b, byte(r-'A'+'a'))
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			b = append(b, byte(r))
		case r == '\'' || r == '\u2019' || r == '\u2018':
		default:
			if len(b) > 0 {
				toks = append(toks, string(b))
				b = b[:0]
			}
		}
	}
	if len(b) > 0 {
		toks = append(toks, string(b))
	}
	return toks
}

// SpeechHints returns the hints for Twilio's <Gather hints> when a registration is spoken:
// the NATO alphabet and the digit words, separated by commas.
func SpeechHints() string {
	words := make([]string, 0, len(natoWords)+len(digitWords))
	words = append(words, natoWords[:]...)
	words = append(words, digitWords[:]...)
	return strings.Join(words, ", ")
}

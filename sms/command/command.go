// Package command reads one text message sent to the permit line into a Command: activate a
// visit (VISITOR <reg> [date], PARK <reg> [date] or a bare registration), cancel one
// (CANCEL <ref>, UNDO <ref>), ask for the balance, the upcoming visits, the hours or help,
// answer yes or no, or the carrier's opt-out and opt-in words.
//
// It is pure: the answer depends only on the message and today's date. It only reads the
// message: a registration is normalised but not validated (vrm.Parse is used only to choose
// between readings), and a date is a real calendar date but is not checked against the
// booking window (R12); the domain does both.
//
// Bare STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE and OPTOUT are Twilio's
// default English opt-out words (RULES.md, "Decisions recorded"): they are OptOut only
// when they are the whole message, and no service action needs them, which is why
// UNDO <ref> cancels a visit too. START and UNSTOP are OptIn. YES is an opt-in word for
// Twilio as well, but here it is read as Yes: whether a YES opts a number back in
// depends on more than the message (Twilio's OptOutType, the number's opt-out), so the
// channel decides, with IsOptInWord.
package command

import (
	"strings"
	"unicode"

	"permitline/domain/calendar"
	"permitline/domain/vrm"
	"permitline/flows/entry"
)

// Kind is what a text message asks for.
type Kind string

// The kinds of command.
const (
	Activate Kind = "activate" // VISITOR <reg> [date], PARK <reg> [date], or a bare registration [date]
	Cancel   Kind = "cancel"   // CANCEL <ref> or UNDO <ref>
	Balance  Kind = "balance"  // BALANCE, BAL
	Visits   Kind = "visits"   // VISITS (the upcoming ones)
	Hours    Kind = "hours"    // HOURS
	Help     Kind = "help"     // HELP, INFO, ?
	Yes      Kind = "yes"      // YES, Y, YEP, YEAH, OK, CONFIRM (an answer in a conversation)
	No       Kind = "no"       // NO, N, NOPE
	OptOut   Kind = "opt_out"  // STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT alone in the message
	OptIn    Kind = "opt_in"   // START, UNSTOP alone in the message (YES is Yes: see IsOptInWord)
	Unknown  Kind = "unknown"  // anything else: kept as Text so a conversation can try it as an answer
)

// Command is one text message, read.
type Command struct {
	Kind Kind
	// VRM is the registration as texted, normalised as vrm.Normalise does and holding only
	// A-Z and 0-9; it is not validated. Empty when none was given.
	VRM string
	// Date is the day asked for; zero when no date was given, or the day given is today
	// ("today", "now", or a date that falls today): today, from now (R12).
	Date calendar.Date
	// DateText is the date words as texted when they could not be read as a date from
	// today up to 366 days ahead, so the reply can say "I couldn't read the date 'blah'".
	DateText string
	// Ref is the visit reference, upper case, A-Z and 0-9 only. Empty when none was given.
	Ref string
	// Text is the whole message, trimmed, with typographic quotes, dashes and odd spaces
	// made plain ASCII, so a conversation can try it as an answer (entry.TextDate, vrm.Parse).
	Text string
}

// maxDateDays is how far after today a Date may be.
const maxDateDays = 366

// maxJoined is the longest a registration joined from two words may be, normalised.
const maxJoined = 8

// maxLead is the most words that may come between the keyword and the registration
// ("VISITOR on Saturday 5th December AB12 CDE").
const maxLead = 6

// optOutWords are Twilio's default English opt-out words, matched against the whole
// message (https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out).
var optOutWords = []string{"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}

// optInWords are the opt-in words Parse reads as OptIn, matched against the whole message.
var optInWords = []string{"START", "UNSTOP"}

// carrierOptInWords are Twilio's default opt-in words: optInWords and YES.
var carrierOptInWords = []string{"START", "UNSTOP", "YES"}

var (
	activateWords = set("VISITOR", "PARK")
	cancelWords   = set("CANCEL", "UNDO")
	// keywords are the commands that may be followed by anything.
	keywords = map[string]Kind{
		"BALANCE": Balance, "BAL": Balance,
		"VISITS": Visits,
		"HOURS":  Hours,
		"HELP":   Help, "INFO": Help,
		"YES": Yes, "YEP": Yes, "YEAH": Yes, "YUP": Yes, "OK": Yes, "OKAY": Yes,
		"CONFIRM": Yes, "CONFIRMED": Yes, "CORRECT": Yes,
		"NO": No, "NOPE": No, "NAH": No,
	}
	// letterAnswers are one-letter answers, taken only alone (or with courtesy words), so
	// that "Y 123 ABC" is still a registration.
	letterAnswers = map[string]Kind{"Y": Yes, "N": No}
	// courtesy words are ignored around a registration, a date or a reference.
	courtesy = set("PLEASE", "PLS", "PLZ", "THANKS", "THANK", "YOU", "THANKYOU", "THX", "TA",
		"CHEERS", "X", "XX", "XXX")
	// nowWords alone mean today, from now: the zero Date.
	nowWords = set("TODAY", "NOW")
	// labels may come before a registration or a reference ("VISITOR reg AB12 CDE",
	// "CANCEL ref K7P2QX").
	regLabels = set("FOR", "REG", "REGO", "REGISTRATION", "VRM", "CAR", "VEHICLE", "PLATE",
		"NUMBER", "NO", "IS", "MY", "ON", "THE")
	refLabels = set("REF", "REFERENCE", "VISIT", "BOOKING", "NUMBER", "NO", "NUM", "CODE",
		"MY", "THE", "FOR", "PERMIT")
)

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// OptOutWords returns the carrier's opt-out words, upper case: STOP, STOPALL,
// UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT.
func OptOutWords() []string { return append([]string(nil), optOutWords...) }

// IsOptOutWord reports whether the whole message is one of OptOutWords, ignoring case,
// white space and punctuation around it ("Stop", " STOP! ", "cancel."), but not words
// after it ("END VISIT", "STOP PARKING").
//
// Twilio matches a keyword only when it is the whole message, in any case ("Stop please"
// is not an opt-out). Its documents say nothing of punctuation; a one-word "Stop." or
// "STOP!" is taken as the opt-out it plainly means, so the line errs towards sending
// nothing more to someone who asked it to stop.
func IsOptOutWord(body string) bool { return wholeWord(body, optOutWords) }

// IsOptInWord reports whether the whole message is one of Twilio's opt-in words, START,
// UNSTOP or YES, matched as IsOptOutWord matches.
func IsOptInWord(body string) bool { return wholeWord(body, carrierOptInWords) }

// isOptIn reports whether the whole message is an opt-in word, as IsOptOutWord does.
func isOptIn(body string) bool { return wholeWord(body, optInWords) }

func wholeWord(body string, words []string) bool {
	w := upper(strings.TrimFunc(clean(body), notAlnum))
	for _, o := range words {
		if w == o {
			return true
		}
	}
	return false
}

// word is one word of a message: text as texted, without the punctuation around it, and
// up, text with ASCII letters upper-cased.
type word struct{ text, up string }

// Parse reads the text message body, received on the day today (London).
func Parse(body string, today calendar.Date) Command {
	text := strings.TrimSpace(clean(body))
	c := Command{Kind: Unknown, Text: text}
	switch {
	case IsOptOutWord(body):
		c.Kind = OptOut
		return c
	case isOptIn(body):
		c.Kind = OptIn
		return c
	}
	ws := words(text)
	if len(ws) == 0 {
		if strings.Contains(text, "?") {
			c.Kind = Help
		}
		return c
	}
	first, rest := ws[0].up, ws[1:]
	switch {
	case activateWords[first]:
		c.activate(rest, today)
		return c
	case cancelWords[first]:
		c.Kind = Cancel
		c.Ref = reference(rest)
		return c
	case keywords[first] != "":
		c.Kind = keywords[first]
		return c
	case letterAnswers[first] != "" && only(rest, courtesy):
		c.Kind = letterAnswers[first]
		return c
	case contains(optOutWords, first) || contains(optInWords, first):
		// Carriers match these words against the whole message only, and so do we:
		// "END VISIT" is not an opt-out, and not a command either.
		return c
	}
	if tail, ok := glued(ws[0]); ok {
		// "VISITORAB12CDE": the keyword and a valid registration without a space.
		c.activate(append([]word{tail}, rest...), today)
		return c
	}
	// A bare registration, perhaps with a date: only one vrm.Parse accepts, with nothing
	// else but a date or courtesy words, and never a message that is just a date ("Dec 5"
	// is a date, not the dateless mark DEC5).
	if _, _, ok := readDate(ws, today); ok {
		return c
	}
	if r, ok := best(ws, today); ok && r.rank() == 0 {
		c.Kind = Activate
		c.VRM, c.Date = r.vrm, r.date
	}
	return c
}

// activate fills c as an activation from the words after the keyword.
func (c *Command) activate(rest []word, today calendar.Date) {
	c.Kind = Activate
	if d, _, ok := readDate(rest, today); ok {
		// "VISITOR", "VISITOR tomorrow", "VISITOR please": the conversation asks for the
		// registration.
		c.Date = d
		return
	}
	r, ok := best(rest, today)
	if !ok {
		c.DateText = joinText(trimWords(rest, courtesy))
		return
	}
	c.VRM, c.Date, c.DateText = r.vrm, r.date, r.dateText
}

// reading is one way to read words as [lead] registration [date].
type reading struct {
	vrm      string
	valid    bool // vrm.Parse accepts vrm
	date     calendar.Date
	dateText string // set when the date words could not be read
	dateOK   bool   // the words other than the registration read as a date, or are not there
	start, n int    // the registration is words[start : start+n]
}

// rank orders readings, best first: a valid registration and a readable date; then an
// invalid registration (the domain explains why) and a readable date; then a valid
// registration with an unreadable date; then anything else.
func (r reading) rank() int {
	switch {
	case r.valid && r.dateOK:
		return 0
	case r.dateOK:
		return 1
	case r.valid:
		return 2
	}
	return 3
}

// better reports whether r is a better reading than o: by rank, then with the registration
// first, then of fewer words.
func (r reading) better(o reading) bool {
	if r.rank() != o.rank() {
		return r.rank() < o.rank()
	}
	if (r.start == 0) != (o.start == 0) {
		return r.start == 0
	}
	if r.n != o.n {
		return r.n < o.n
	}
	return r.start < o.start
}

// best returns the best reading of ws as an optional lead (labels, courtesy words or a
// date), a registration of one word or two words joined (at most maxJoined characters),
// and the date words. ok is false if no word can hold a registration.
func best(ws []word, today calendar.Date) (reading, bool) {
	var top reading
	found := false
	for start := 0; start < len(ws) && start <= maxLead; start++ {
		var lead calendar.Date
		leadDate := false
		if start > 0 {
			core := drop(drop(ws[:start], regLabels), courtesy)
			if len(core) > 0 {
				d, _, ok := readDate(core, today)
				if !ok {
					continue
				}
				lead, leadDate = d, true
			}
		}
		for n := 1; n <= 2 && start+n <= len(ws); n++ {
			r, ok := readAt(ws, start, n, today)
			if !ok {
				continue
			}
			if leadDate {
				after := ws[start+n:]
				r.dateOK = only(after, courtesy)
				r.date, r.dateText = lead, ""
				if !r.dateOK {
					r.date = calendar.Date{}
					r.dateText = joinText(trimWords(append(append([]word(nil), ws[:start]...), after...), courtesy))
				}
			}
			if !found || r.better(top) {
				top, found = r, true
			}
		}
	}
	return top, found
}

// readAt reads ws[start:start+n] as the registration and the words after it as the date.
func readAt(ws []word, start, n int, today calendar.Date) (reading, bool) {
	var raw strings.Builder
	for _, w := range ws[start : start+n] {
		raw.WriteString(w.text)
	}
	norm := vrm.Normalise(raw.String())
	if n > 1 && len(norm) > maxJoined {
		return reading{}, false
	}
	r := reading{start: start, n: n}
	if m, err := vrm.Parse(norm); err == nil {
		r.vrm, r.valid = m.Text, true
	} else {
		r.vrm = alnum(norm)
	}
	if r.vrm == "" {
		return reading{}, false
	}
	r.date, r.dateText, r.dateOK = readDate(ws[start+n:], today)
	return r, true
}

// readDate reads ws as a date, ignoring courtesy words: none, "today" or "now" give the
// zero Date; otherwise entry.TextDate must read them as a day from today up to
// maxDateDays ahead (today itself gives the zero Date). When ok is false, text is the
// words as texted, without courtesy words around them.
func readDate(ws []word, today calendar.Date) (d calendar.Date, text string, ok bool) {
	core := drop(ws, courtesy)
	if len(core) == 0 || len(core) == 1 && nowWords[core[0].up] {
		return calendar.Date{}, "", true
	}
	d, ok = entry.TextDate(joinText(core), today)
	if ok && !d.Before(today) && today.DaysUntil(d) <= maxDateDays {
		if d == today {
			d = calendar.Date{}
		}
		return d, "", true
	}
	return calendar.Date{}, joinText(trimWords(ws, courtesy)), false
}

// reference reads the words after CANCEL or UNDO as a visit reference: labels and
// courtesy words are dropped; a word of exactly 6 letters and digits is taken if there is
// one, otherwise all the words joined.
func reference(ws []word) string {
	var core []word
	for _, w := range ws {
		if !courtesy[w.up] && !refLabels[w.up] {
			core = append(core, w)
		}
	}
	for _, w := range core {
		if r := alnum(w.up); len(r) == 6 && len(r) == len(vrm.Normalise(w.up)) {
			return r
		}
	}
	var b strings.Builder
	for _, w := range core {
		b.WriteString(alnum(w.up))
	}
	return b.String()
}

// glued reads a first word such as "VISITORAB12CDE" as an activation keyword glued to a
// registration vrm.Parse accepts, and returns the registration.
func glued(w word) (word, bool) {
	for kw := range activateWords {
		if len(w.up) > len(kw) && strings.HasPrefix(w.up, kw) {
			tail := strings.TrimLeftFunc(w.text[len(kw):], notAlnum)
			if _, err := vrm.Parse(tail); err == nil {
				return word{text: tail, up: upper(tail)}, true
			}
		}
	}
	return word{}, false
}

// clean makes typographic quotes and dashes plain ASCII, turns every kind of space into a
// plain space, drops invisible characters, and folds full-width ASCII to ASCII.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\u2018', '\u2019', '\u201a', '\u201b', '\u2032', '\u02bc':
			return '\''
		case '\u201c', '\u201d', '\u201e', '\u201f', '\u2033', '\u00ab', '\u00bb':
			return '"'
		case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\ufe58', '\ufe63':
			return '-'
		case '\u2044', '\u2215':
			return '/'
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
			return -1
		}
		switch {
		case unicode.IsSpace(r):
			return ' '
		case '\uff01' <= r && r <= '\uff5e': // full-width ASCII
			return r - 0xfee0
		}
		return r
	}, s)
}

// separators split words besides white space. '-', '/' and '.' do not: they join the
// parts of a date (5/12) or a registration (AB12-CDE).
const separators = ",;:()[]{}<>\"'`*!?&+=|~^"

// words splits the cleaned message into words, without the punctuation around each.
func words(s string) []word {
	var ws []word
	for _, f := range strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(separators, r)
	}) {
		if t := strings.TrimFunc(f, notAlnum); t != "" {
			ws = append(ws, word{text: t, up: upper(t)})
		}
	}
	return ws
}

func notAlnum(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// upper upper-cases the ASCII letters of s only, so no other letter turns into one.
func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - ('a' - 'A')
		}
	}
	return string(b)
}

// alnum keeps the characters of s that are A-Z or 0-9.
func alnum(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// drop returns ws without the words in skip.
func drop(ws []word, skip map[string]bool) []word {
	var out []word
	for _, w := range ws {
		if !skip[w.up] {
			out = append(out, w)
		}
	}
	return out
}

// trimWords returns ws without the words in skip at either end.
func trimWords(ws []word, skip map[string]bool) []word {
	for len(ws) > 0 && skip[ws[0].up] {
		ws = ws[1:]
	}
	for len(ws) > 0 && skip[ws[len(ws)-1].up] {
		ws = ws[:len(ws)-1]
	}
	return ws
}

// only reports whether every word of ws is in allowed.
func only(ws []word, allowed map[string]bool) bool {
	return len(drop(ws, allowed)) == 0
}

func contains(list []string, s string) bool {
	for _, w := range list {
		if w == s {
			return true
		}
	}
	return false
}

func joinText(ws []word) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.text
	}
	return strings.Join(parts, " ")
}

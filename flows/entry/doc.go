// Package entry turns what a caller keys or says on the phone line, and what a resident
// texts, into values: registrations keyed two keys a character (DecodeKeypad), spoken
// registrations (SpokenVRM), dates keyed as DDMM (DayMonth) and dates written in a text
// message (TextDate).
//
// Every function is pure: its answer depends only on its arguments, never on the clock.
// None of them applies the service's rules: a registration is only normalised here and is
// validated by vrm.Parse, and a date is only a real calendar date here and is checked
// against the booking window by the domain. Errors carry a plain-English Reason that a
// phone prompt or a reply text can repeat.
package entry

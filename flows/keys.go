package flows

// loneKey answers the two keys every keyed entry understands on its own, as the whole
// entry: * repeats the question and 0 reaches a person. No account number, PIN, date,
// quantity or keyed registration is one key long, so neither is ever taken as data, and
// a 0 at the PIN prompt is never a PIN try (R25). Within a longer entry they keep their
// meaning there (a keyed registration's 0 and * delete). ok is false for any other input.
func loneKey(in Input) (out Outcome, ok bool) {
	if in.Kind != InputKeys {
		return Outcome{}, false
	}
	switch in.Keys {
	case "*":
		return Outcome{Next: Again, Note: "repeat"}, true
	case "0":
		return Outcome{Next: Fire(ToHelpdesk), Note: "asked for an agent"}, true
	}
	return Outcome{}, false
}

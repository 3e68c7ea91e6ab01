package redact

// digitRun builds the digit run at token i, runs the numeric detectors on it
// and returns the token after the run (or i+1 if the run yields nothing but
// its first token, so the caller moves on).
func (a *analyzer) digitRun(i int) int {
	end := a.buildRun(i)
	if end == i {
		return i
	}
	if a.innocentRun(i, end) {
		return end
	}
	gs := a.groups
	if a.ipv4(gs, end) {
		return end
	}
	if a.numericDate(gs) {
		return end
	}
	ref := a.referenceBefore(i)
	fresh := true // ga starts the run or follows a detection
	for ga := 0; ga < len(gs); {
		if gb := a.matchAt(ga, ref, fresh); gb > ga {
			ga, fresh = gb, true
			continue
		}
		ga, fresh = ga+1, false
	}
	return end
}

// innocentRun reports whether the run [i, end) is an amount, a time, a
// quantity or a reference number by its surroundings.
func (a *analyzer) innocentRun(i, end int) bool {
	if i > 0 && a.toks[i-1].kind == tokPunct && !a.toks[i].spaced() {
		switch a.text(i - 1) {
		case "$", "£", "€", "#", ":":
			return true
		}
	}
	if end < len(a.toks) && a.sameSeg(end-1, end) {
		t := &a.toks[end]
		if t.kind == tokPunct && !t.spaced() && (a.d.text[t.start] == ':' || a.d.text[t.start] == '%') {
			return true
		}
		if t.kind == tokWord && (t.lex().has(flagMoney) || t.lex().has(flagMeasure)) {
			return true
		}
	}
	return false
}

// ipv4 detects a dotted-quad IPv4 address.
func (a *analyzer) ipv4(gs []group, end int) bool {
	if len(gs) != 4 {
		return false
	}
	for k, g := range gs {
		if g.spoken || g.n > 3 || k > 0 && (g.sep != '.' || a.toks[g.first].spaced()) {
			return false
		}
		if prefixInt(a.digits[g.off:], g.n) > 255 {
			return false
		}
	}
	a.emit(IPAddress, a.groupParts(0, 4), a.window(0, 4))
	return true
}

// numericDate handles written dates (7/28/84, 1984-07-28, 12/26): a date of
// birth or a card expiry when the context says so, otherwise nothing.
func (a *analyzer) numericDate(gs []group) bool {
	if len(gs) < 2 || len(gs) > 3 || gs[0].spoken {
		return false
	}
	sep := gs[1].sep
	if sep != '/' && sep != '-' && sep != '.' {
		return false
	}
	for _, g := range gs[1:] {
		if g.sep != sep || g.spoken {
			return false
		}
	}
	num := func(k int) int { return prefixInt(a.digits[gs[k].off:], gs[k].n) }
	if len(gs) == 2 {
		if sep != '/' && !a.active(cueExpiry) || gs[0].n > 2 || gs[1].n != 2 && gs[1].n != 4 {
			return false
		}
		if a.active(cueExpiry) && validMonthYear(num(0), num(1)) {
			a.emit(CardExpiry, a.groupParts(0, 2), a.window(0, 2))
			a.consume(cueExpiry)
		}
		return sep == '/'
	}
	var day, month, year int
	switch {
	case gs[0].n == 4 && gs[1].n <= 2 && gs[2].n <= 2:
		year, month, day = num(0), num(1), num(2)
	case gs[0].n <= 2 && gs[1].n <= 2 && (gs[2].n == 2 || gs[2].n == 4):
		month, day, year = num(0), num(1), num(2)
		if month > 12 {
			month, day = day, month
		}
	default:
		return false
	}
	if !validDate(day, month, year) {
		return sep != '-' // a dashed non-date may still be an SSN or a phone number
	}
	if a.active(cueDOB) {
		a.emit(DateOfBirth, a.groupParts(0, 3), a.window(0, 3))
		a.consume(cueDOB)
	}
	return true
}

// matchAt tries the numeric detectors on windows of groups starting at ga
// and returns the group after a match, or ga.
//
// Phone numbers are only tried where the run starts or a detection ended
// (fresh): a phone number is read as a whole, and validating every window
// of a long spoken run would be slow.
func (a *analyzer) matchAt(ga int, ref, fresh bool) int {
	gs := a.groups
	// Payment cards: 13–19 digits, Luhn, a brand range (any range with a card cue).
	for gb := len(gs); gb > ga; gb-- {
		d := a.window(ga, gb)
		if len(d) < 13 || len(d) > 19 || !luhn(d) {
			continue
		}
		if cardBrand(d) || a.active(cueCard) {
			a.emit(CardNumber, a.groupParts(ga, gb), d)
			a.consume(cueCard)
			a.lastCue[cueExpiry], a.lastCue[cueCVV] = a.words, a.words
			return gb
		}
	}
	if ref {
		return ga
	}
	// US SSN and ITIN: 3-2-4 written, or nine digits after a cue.
	for gb := ga + 1; gb <= len(gs) && gb <= ga+9; gb++ {
		d := a.window(ga, gb)
		if len(d) != 9 {
			continue
		}
		formatted := gb-ga == 3 && gs[ga].n == 3 && gs[ga+1].n == 2 && gs[ga+2].n == 4 &&
			!gs[ga].spoken && gs[ga+1].sep == gs[ga+2].sep && (gs[ga+1].sep == '-' || gs[ga+1].sep == sepSpace)
		switch {
		case validITIN(d) && (formatted || a.active(cueSSN)):
			a.emit(ITIN, a.groupParts(ga, gb), d)
		case validSSN(d) && (formatted && gs[ga+1].sep == '-' || a.active(cueSSN)):
			a.emit(SSN, a.groupParts(ga, gb), d)
		case validABA(d) && a.active(cueRouting):
			a.emit(RoutingNumber, a.groupParts(ga, gb), d)
			a.consume(cueRouting)
			return gb
		default:
			continue
		}
		a.consume(cueSSN)
		return gb
	}
	if fresh {
		if gb := a.phoneAt(ga); gb > ga {
			return gb
		}
	}
	return a.cuedNumber(ga)
}

// cuedNumber detects the values that only context identifies, using the
// digits from group ga to the end of the run (or a prefix, for an expiry
// followed by a security code).
func (a *analyzer) cuedNumber(ga int) int {
	gs := a.groups
	all := len(gs)
	d := a.window(ga, all)
	n := len(d)
	// With both expiry and security-code cues active, four digits that read
	// as a month and year are the expiry, three digits the security code.
	if a.active(cueExpiry) {
		for gb := ga + 1; gb <= all; gb++ {
			w := a.window(ga, gb)
			if (len(w) == 4 || len(w) == 3 && !a.active(cueCVV) || len(w) == 6) && expiryDigits(w) {
				a.emit(CardExpiry, a.groupParts(ga, gb), w)
				a.consume(cueExpiry)
				return gb
			}
			if len(w) > 6 {
				break
			}
		}
	}
	emit := func(t EntityType, k cueKind) int {
		a.emit(t, a.groupParts(ga, all), d)
		a.consume(k)
		return all
	}
	switch {
	case a.active(cueCVV) && (n == 3 || n == 4):
		return emit(CardCVV, cueCVV)
	case a.active(cuePIN) && n >= 4 && n <= 6:
		return emit(PIN, cuePIN)
	case a.active(cueSortCode) && n == 6:
		return emit(SortCode, cueSortCode)
	case a.active(cueRouting) && n == 9:
		return emit(RoutingNumber, cueRouting)
	case a.active(cueAccount) && n >= 6 && n <= 17:
		return emit(BankAccount, cueAccount)
	case a.active(cuePassport) && n >= 6 && n <= 12:
		return emit(Passport, cuePassport)
	case a.active(cueDL) && n >= 5 && n <= 14:
		return emit(DriversLicense, cueDL)
	case a.active(cueDOB) && (n == 6 || n == 8) && dateDigits(d):
		return emit(DateOfBirth, cueDOB)
	}
	return ga
}

// expiryDigits reports whether d reads as MMYY, MYY or MMYYYY.
func expiryDigits(d []byte) bool {
	switch len(d) {
	case 3:
		return validMonthYear(prefixInt(d, 1), prefixInt(d[1:], 2))
	case 4:
		return validMonthYear(prefixInt(d, 2), prefixInt(d[2:], 2))
	case 6:
		return validMonthYear(prefixInt(d, 2), prefixInt(d[2:], 4))
	}
	return false
}

// dateDigits reports whether d reads as MMDDYY, DDMMYY, MMDDYYYY or DDMMYYYY.
func dateDigits(d []byte) bool {
	x, y := prefixInt(d, 2), prefixInt(d[2:], 2)
	year := prefixInt(d[4:], len(d)-4)
	return validDate(y, x, year) || validDate(x, y, year)
}

// phoneAt detects a phone number in a window starting at group ga: a valid
// number for one of the configured regions that is written like a phone
// number, spoken, or announced by a cue; or a seven-digit local number with a
// cue.
func (a *analyzer) phoneAt(ga int) int {
	gs := a.groups
	plus := ga == 0 && gs[0].first > 0 && a.punct(gs[0].first-1, '+')
	for gb := min(len(gs), ga+15); gb > ga; gb-- {
		d := a.window(ga, gb)
		n := len(d)
		if n < 7 || n > 15 {
			continue
		}
		spoken := gs[ga].spoken || gs[gb-1].spoken
		// Written like a phone number: three or more groups, a country code,
		// an area code in parentheses, or 10+ digits in two groups that do
		// not start with a four-digit year or prefix ("2024-0193").
		paren := ga == 0 && gs[0].first > 0 && a.punct(gs[0].first-1, '(')
		shaped := gb-ga >= 3 || plus || paren || gb-ga == 2 && n >= 10 && gs[ga].n != 4
		if n < 10 && !plus && gb-ga < 3 && n != 7 {
			continue // eight or nine digits in one or two groups: a reference, not a phone
		}
		if n == 7 {
			if a.active(cuePhone) && (gb-ga == 2 && gs[ga].n == 3 || spoken) {
				a.emit(Phone, a.groupParts(ga, gb), d)
				a.consume(cuePhone)
				return gb
			}
			continue
		}
		if !(shaped || spoken || a.active(cuePhone)) {
			continue
		}
		if a.phones.valid(d, plus) {
			parts := a.groupParts(ga, gb)
			if ga == 0 && gs[0].first > 0 && (plus || a.punct(gs[0].first-1, '(')) {
				parts[0].start = a.toks[gs[0].first-1].start
			}
			a.emit(Phone, parts, d)
			a.consume(cuePhone)
			return gb
		}
	}
	return ga
}

// referenceWords name the innocent numbers of commerce. A number right after
// one ("order 12345678", "invoice no. 2024-0193") is only checked for being a
// payment card.
var referenceWords = map[string]bool{"order": true, "invoice": true, "ticket": true, "case": true, "tracking": true,
	"ref": true, "reference": true, "confirmation": true, "booking": true, "claim": true, "model": true, "serial": true,
	"version": true, "item": true, "sku": true, "store": true, "aisle": true, "room": true, "flight": true, "ext": true,
	"extension": true, "priority": true, "step": true, "page": true, "in": true, "since": true}

// maxReferenceWord is the length of the longest reference word.
const maxReferenceWord = len("confirmation")

// referenceBefore reports whether the word before token i, skipping "number",
// "no", "#" and "is", is a reference word.
func (a *analyzer) referenceBefore(i int) bool {
	for j, n := i-1, 0; j >= 0 && n < 4 && a.sameSeg(j, i); j, n = j-1, n+1 {
		if a.toks[j].kind == tokPunct {
			if c := a.d.text[a.toks[j].start]; c == '#' || c == '.' || c == ':' {
				continue
			}
			return false
		}
		w := a.text(j)
		if len(w) > maxReferenceWord {
			return false
		}
		var buf [maxReferenceWord]byte
		for k := 0; k < len(w); k++ {
			buf[k] = lowerByte(w[k])
		}
		switch lw := buf[:len(w)]; string(lw) {
		case "number", "no", "is", "num":
			continue
		default:
			return referenceWords[string(lw)]
		}
	}
	return false
}

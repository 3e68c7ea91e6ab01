package redact

// dateAt parses a date that names its month in words at or near token i
// ("july 28th 1984", "28 July 1984", "the twenty eighth of july nineteen
// eighty four", "december twenty six") and emits it as a date of birth or a
// card expiry when the context asks for one. It returns the token after the
// date, or i.
func (a *analyzer) dateAt(i int) int {
	t := &a.toks[i]
	if t.lex() != nil && t.lex().month != 0 {
		month := int(t.lex().month)
		if a.active(cueExpiry) {
			// "july twenty twenty six": a month and a year.
			if year, m := a.yearAt(i + 1); m > i+1 {
				if end := a.emitDate(i, m, 0, month, year, true); end > i {
					return end
				}
			}
		}
		j := a.skipWords(i+1, "the")
		day, k := a.dayAt(j)
		if k > j {
			j = a.skipPunct(k, ',')
		}
		year, m := a.yearAt(j)
		if m == j && day == 0 {
			return i
		}
		// "may" and "march" are months only with a day and a year.
		if (month == 5 || a.is(i, "march") || a.is(i, "mar")) && (day == 0 || m == j) {
			return i
		}
		return a.emitDate(i, max(k, m), day, month, year, m > j)
	}
	day, j := a.dayAt(i)
	if day == 0 {
		return i
	}
	j = a.skipWords(j, "of")
	if j >= len(a.toks) || a.toks[j].lex() == nil || a.toks[j].lex().month == 0 || !a.sameSeg(i, j) {
		return i
	}
	month := int(a.toks[j].lex().month)
	k := a.skipPunct(j+1, ',')
	year, m := a.yearAt(k)
	if m == k {
		m = j + 1
	}
	return a.emitDate(i, m, day, month, year, m > k)
}

// emitDate emits the date over tokens [i, end) if a cue asks for it.
func (a *analyzer) emitDate(i, end, day, month, year int, hasYear bool) int {
	switch {
	case a.active(cueDOB) && day > 0:
		a.emit(DateOfBirth, a.span(i, end), nil)
		a.consume(cueDOB)
	case a.active(cueExpiry) && day == 0 && hasYear && validMonthYear(month, year):
		a.emit(CardExpiry, a.span(i, end), nil)
		a.consume(cueExpiry)
	default:
		return i
	}
	return end
}

// dayAt parses a day of the month at token i: "28", "28th", "twenty eighth",
// "eighth", "twenty eight", "the first". It returns 0, i if there is none.
func (a *analyzer) dayAt(i int) (int, int) {
	i = a.skipWords(i, "the")
	if i < 0 || i >= len(a.toks) || a.toks[i].kind != tokWord {
		return 0, i
	}
	t := &a.toks[i]
	if t.hasDigit() {
		s := a.text(i)
		n, k := 0, 0
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			n = n*10 + int(s[k]-'0')
			k++
		}
		switch suffix := s[k:]; {
		case k == 0 || k > 2 || n < 1 || n > 31:
			return 0, i
		case suffix == "" || suffix == "st" || suffix == "nd" || suffix == "rd" || suffix == "th":
			return n, i + 1
		}
		return 0, i
	}
	e := t.lex()
	if e == nil {
		return 0, i
	}
	if e.ordinal != 0 {
		return int(e.ordinal), i + 1
	}
	if e.num == numTens && e.value <= 30 {
		if j := a.adjacentWord(i + 1); j >= 0 && a.toks[j].lex() != nil {
			if o := a.toks[j].lex().ordinal; o > 0 && o < 10 {
				return int(e.value) + int(o), j + 1
			}
			if u := a.toks[j].lex(); u.num == numUnit && u.value > 0 && int(e.value)+int(u.value) <= 31 {
				return int(e.value) + int(u.value), j + 1
			}
		}
		return int(e.value), i + 1
	}
	if (e.num == numUnit && e.value > 0 || e.num == numTeen) && a.yearFollows(i+1) {
		return int(e.value), i + 1
	}
	return 0, i
}

// yearFollows reports whether a year starts at token i, so that a bare
// cardinal before it reads as a day.
func (a *analyzer) yearFollows(i int) bool {
	i = a.skipPunct(i, ',')
	_, j := a.yearAt(i)
	return j > i
}

// yearAt parses a year at token i: "1984", "'84", "nineteen eighty four",
// "two thousand six", "twenty twenty six", "eighty four".
func (a *analyzer) yearAt(i int) (int, int) {
	if i < 0 || i >= len(a.toks) {
		return 0, i
	}
	if a.punct(i, '\'') && i+1 < len(a.toks) && a.toks[i+1].isDigits() && a.toks[i+1].length() == 2 {
		return prefixInt([]byte(a.text(i+1)), 2), i + 2
	}
	t := &a.toks[i]
	if t.isDigits() && (t.length() == 4 || t.length() == 2) {
		return prefixInt([]byte(a.text(i)), t.length()), i + 1
	}
	if !a.isSpokenDigit(i) {
		return 0, i
	}
	saved := len(a.digits)
	defer func() { a.digits = a.digits[:saved] }()
	j := a.spokenNumber(i, false)
	if j > i && len(a.digits)-saved == 2 {
		// "nineteen eighty four", "twenty twenty six", "twenty oh one".
		if k := a.adjacentWord(j); k >= 0 && !a.toks[k].hasDigit() && a.spokenDigitAt(k) {
			m := a.spokenNumber(k, true)
			if len(a.digits)-saved == 3 && a.toks[k].lex().num == numOh && a.adjacentWord(m) == m && a.isSpokenDigit(m) {
				m = a.spokenNumber(m, true) // "oh one"
			}
			if len(a.digits)-saved == 4 {
				j = m
			} else {
				a.digits = a.digits[:saved+2]
			}
		}
	}
	switch n := len(a.digits) - saved; n {
	case 2, 4:
		return prefixInt(a.digits[saved:], n), j
	}
	return 0, i
}

// skipWords returns the first token at or after i that is not one of words.
func (a *analyzer) skipWords(i int, words ...string) int {
	for i < len(a.toks) {
		skipped := false
		for _, w := range words {
			if a.is(i, w) {
				i++
				skipped = true
				break
			}
		}
		if !skipped {
			return i
		}
	}
	return i
}

// skipPunct returns i+1 if token i is the punctuation c, else i.
func (a *analyzer) skipPunct(i int, c byte) int {
	if a.punct(i, c) {
		return i + 1
	}
	return i
}

package redact

// alnumID detects identifiers written with letters and digits that start at
// token i: an IBAN (mod-97), a UK National Insurance number, and passport or
// driver's licence numbers announced by a cue. It returns the token after the
// identifier, or i.
func (a *analyzer) alnumID(i int) int {
	if next := a.iban(i); next > i {
		return next
	}
	if next := a.nino(i); next > i {
		return next
	}
	t := &a.toks[i]
	if !t.hasDigit() || !t.hasAlpha() || t.length() < 5 || t.length() > 15 {
		return i
	}
	switch {
	case a.active(cuePassport):
		a.emit(Passport, a.span(i, i+1), a.upperText(i, i+1))
		a.consume(cuePassport)
	case a.active(cueDL):
		a.emit(DriversLicense, a.span(i, i+1), a.upperText(i, i+1))
		a.consume(cueDL)
	default:
		return i
	}
	return i + 1
}

// iban detects "GB82 WEST 1234 5698 7654 32" or "DE89370400440532013000".
func (a *analyzer) iban(i int) int {
	s := a.text(i)
	if len(s) < 4 || !isLetter(s[0]) || !isLetter(s[1]) || !isDigit(s[2]) || !isDigit(s[3]) {
		return i
	}
	want, ok := ibanLengths[string([]byte{upper(s[0]), upper(s[1])})]
	if !ok {
		return i
	}
	buf := a.scratch[:0]
	j := i
	for j < len(a.toks) && len(buf) < want {
		if j > i && (a.toks[j].kind != tokWord || !a.sameSeg(i, j) || a.toks[j].space&lineBefore != 0) {
			break
		}
		for _, c := range []byte(a.text(j)) {
			buf = append(buf, upper(c))
		}
		j++
	}
	a.scratch = buf
	if len(buf) != want || !validIBAN(buf) {
		return i
	}
	a.emit(IBAN, a.span(i, j), buf)
	return j
}

// nino detects a UK National Insurance number: "QQ123456C", "QQ 12 34 56 C".
func (a *analyzer) nino(i int) int {
	s := a.text(i)
	// "QQ123456C", "QQ123456 C" or "QQ 12 34 56 C".
	if len(s) < 2 || !isLetter(s[0]) || !isLetter(s[1]) ||
		!(len(s) >= 8 && isDigit(s[2]) || len(s) == 2 && i+1 < len(a.toks) && a.toks[i+1].isDigits()) {
		return i
	}
	buf := a.scratch[:0]
	j := i
	for j < len(a.toks) && len(buf) < 9 && j-i < 5 {
		if j > i && (a.toks[j].kind != tokWord || !a.sameSeg(i, j) || a.toks[j].space&lineBefore != 0) {
			break
		}
		for _, c := range []byte(a.text(j)) {
			buf = append(buf, upper(c))
		}
		j++
	}
	a.scratch = buf
	if len(buf) != 9 || !validNINO(buf) {
		return i
	}
	// Lowercase or unspaced text needs the cue: "ab123456c" is rarely an accident.
	if a.toks[i].shape&shapeUpper == 0 && !a.active(cueNINO) {
		return i
	}
	a.emit(UKNINO, a.span(i, j), buf)
	a.consume(cueNINO)
	return j
}

func (a *analyzer) upperText(i, j int) []byte {
	b := []byte(a.d.text[a.toks[i].start:a.toks[j-1].end])
	for k, c := range b {
		b[k] = upper(c)
	}
	return b
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// captureSecret captures the value after a password or security-question cue
// ending before token i: "my password is Tr0ub4dor&3", "mother's maiden name
// is smith". The value runs to the end of the clause, at most limit words.
func (a *analyzer) captureSecret(i int, typ EntityType, limit int) int {
	j := i
	linked := false
	for j < len(a.toks) && a.sameSeg(i-1, j) {
		t := &a.toks[j]
		if t.kind == tokPunct {
			if c := a.d.text[t.start]; c == ':' || c == '=' || c == '-' || c == '"' || c == '\'' {
				linked = true
				j++
				continue
			}
			return i
		}
		if t.lex().has(flagLinker) || t.lex().has(flagFiller) {
			linked = linked || !t.lex().has(flagFiller)
			j++
			continue
		}
		break
	}
	if j >= len(a.toks) || !a.sameSeg(i-1, j) || a.toks[j].kind != tokWord || (a.toks[j].lex().has(flagStop) && !a.toks[j].lex().has(flagFirstName)) {
		return i
	}
	if !linked && !a.toks[j].hasDigit() {
		return i
	}
	start, end := j, j
	words := 0
	for end < len(a.toks) && a.sameSeg(start, end) && words < limit {
		t := &a.toks[end]
		if end > start && t.space&lineBefore != 0 {
			break
		}
		if t.kind == tokPunct {
			c := a.d.text[t.start]
			next := end + 1
			clauseEnd := c == '.' || c == ',' || c == '?' || c == '!' || c == ';'
			if clauseEnd && (next >= len(a.toks) || a.toks[next].spaced() || !a.sameSeg(end, next)) {
				break
			}
			end++
			continue
		}
		if t.spaced() && end > start {
			if t.lex().has(flagStop) && !t.lex().has(flagLinker) && t.lex().num == numNone {
				break
			}
			words++
			if words >= limit {
				break
			}
		}
		end++
	}
	if end == start {
		return i
	}
	a.emitText(typ, a.span(start, end), a.d.text[a.toks[start].start:a.toks[end-1].end])
	return end
}

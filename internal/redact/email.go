package redact

// maxEmailTokens bounds the tokens scanned on each side of an "@", keeping
// input like "a@a@a@…" linear.
const maxEmailTokens = 64

// writtenEmail detects an email address around the "@" at token i.
func (a *analyzer) writtenEmail(i int) {
	s := i
	for s > 0 && i-s < maxEmailTokens && !a.toks[s].spaced() && a.sameSeg(s-1, s) && a.emailLocalTok(s-1) {
		s--
	}
	if s == i || a.toks[s].kind != tokWord {
		return
	}
	e, dots, lastWord := i+1, 0, -1
	for e < len(a.toks) && e-i < maxEmailTokens && !a.toks[e].spaced() && a.sameSeg(e-1, e) {
		t := &a.toks[e]
		if t.kind == tokWord {
			lastWord = e
		} else if c := a.d.text[t.start]; c == '.' {
			dots++
		} else if c != '-' {
			break
		}
		e++
	}
	if lastWord < 0 || dots == 0 {
		return
	}
	if tld := a.text(lastWord); len(tld) < 2 || a.toks[lastWord].hasDigit() {
		return
	}
	a.emit(Email, a.span(s, lastWord+1), nil)
}

func (a *analyzer) emailLocalTok(i int) bool {
	t := &a.toks[i]
	if t.kind == tokWord {
		return true
	}
	switch a.d.text[t.start] {
	case '.', '_', '-', '+':
		return true
	}
	return false
}

// spelledEmail detects an address read out: "j dot smith at gmail dot com",
// "jsmith at gmail.com", "john underscore doe at yahoo dot co dot uk". Token i
// is "at".
func (a *analyzer) spelledEmail(i int) int {
	// Domain: word (dot word)+, the last a top-level domain.
	j := a.adjacentWord(i + 1)
	if j < 0 || a.toks[j].lex().has(flagStop) && !a.toks[j].lex().has(flagTLD) {
		return i
	}
	end, labels := j+1, 1
	for {
		k := end
		if a.punct(k, '.') && a.sameSeg(k-1, k) {
			k++
		} else if w := a.adjacentWord(k); w >= 0 && (a.is(w, "dot") || a.is(w, "period")) {
			k = w + 1
		} else {
			break
		}
		w := k
		if w >= len(a.toks) || a.toks[w].kind != tokWord || !a.sameSeg(i, w) {
			break
		}
		end, labels = w+1, labels+1
	}
	if labels < 2 || !a.toks[end-1].lex().has(flagTLD) {
		return i
	}
	// Local part: word ((dot|underscore|dash) word)*, extended over more words
	// after an email cue.
	s := i - 1
	for s >= 0 && a.toks[s].kind == tokPunct && a.sameSeg(s, i) && !a.punct(s, ',') {
		s--
	}
	if s < 0 || !a.sameSeg(s, i) || a.toks[s].kind != tokWord || a.toks[s].lex().has(flagStop) && a.toks[s].length() > 1 {
		return i
	}
	words := 1
	for s > 0 && a.sameSeg(s-1, i) {
		p := s - 1
		if a.toks[p].kind == tokPunct {
			c := a.d.text[a.toks[p].start]
			if c != '.' && c != '_' && c != '-' || p == 0 || a.toks[p-1].kind != tokWord {
				break
			}
			s = p - 1
			continue
		}
		if a.toks[p].lex().has(flagSpelledSep) && p > 0 && a.toks[p-1].kind == tokWord && a.sameSeg(p-1, i) {
			s = p - 1
			continue
		}
		e := a.toks[p].lex()
		plain := !e.has(flagStop) && !e.has(flagLinker) && (e == nil || e.phrases == nil && e.num == numNone)
		single := a.toks[p].length() == 1 && !e.has(flagStop)
		if words < 3 && (single || a.active(cueEmail) && plain) {
			s, words = p, words+1
			continue
		}
		break
	}
	a.emit(Email, a.span(s, end), nil)
	a.consume(cueEmail)
	return end
}

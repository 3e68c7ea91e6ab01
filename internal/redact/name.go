package redact

// maxNameWords bounds a person's name: first, middle(s), last.
const maxNameWords = 4

// captureName runs after a name cue ending before token i. After a strong
// cue ("my name is", "Mr", "Dear") the next word is a name unless it is a
// function word; after a weak cue ("this is", "thanks", "hi") only a word
// that looks like a name is taken. It returns the token after the name, or i.
func (a *analyzer) captureName(i int, strong bool) int {
	j := i
	for j < len(a.toks) && a.sameSeg(i-1, j) && (a.toks[j].kind == tokPunct && a.isNamePunct(j) || a.toks[j].lex().has(flagFiller)) {
		j++
	}
	if j >= len(a.toks) || !a.sameSeg(i-1, j) || a.toks[j].kind != tokWord || a.toks[j].hasDigit() {
		return i
	}
	t := &a.toks[j]
	e := t.lex()
	switch {
	case e.has(flagStop) || e.has(flagLinker) || e != nil && (e.num != numNone || e.month != 0):
		return i
	case a.firstNameLike(j):
	case strong && (t.capFirst() || e == nil || e.has(flagSurname) || e.has(flagFirstName)):
	case t.capFirst() && e.has(flagSurname) && !e.has(flagSurnameAmbig):
	case t.capFirst() && e.has(flagFirstName) && !a.sentenceStart(j):
		// An ambiguous given name, capitalized after a cue: "this is Mark".
	case t.capFirst() && t.shape&shapeUpper == 0 && e == nil && !a.sentenceStart(j) && !isEUStreetName(a.text(j)):
		// "this is Siobhan", "Regards,\nWei Chen": a capitalized word the
		// lists do not know, after a cue, mid-sentence.
	default:
		return i
	}
	end := a.extendName(j+1, strong)
	a.emit(Person, a.span(j, end), nil)
	return end
}

// isNamePunct reports punctuation that may stand between a cue and a name:
// "Regards,\nJane", "Dear Mr. Smith", "name: Jane".
func (a *analyzer) isNamePunct(i int) bool {
	switch a.d.text[a.toks[i].start] {
	case ',', '.', ':', '-':
		return true
	}
	return false
}

// firstNameLike reports whether word token i is a given name by the lists:
// unambiguous, or ambiguous but capitalized in text that has lowercase.
func (a *analyzer) firstNameLike(i int) bool {
	t := &a.toks[i]
	e := t.lex()
	if !e.has(flagFirstName) {
		return false
	}
	if !e.has(flagFirstAmbig) {
		return true
	}
	return t.capFirst() && t.shape&shapeUpper == 0 && a.nameAfter(i+1)
}

// nameAfter reports whether token i continues a name: a surname, or a
// capitalized word that is not a function word.
func (a *analyzer) nameAfter(i int) bool {
	i = a.adjacentWord(i)
	if i < 0 {
		return false
	}
	t := &a.toks[i]
	e := t.lex()
	if e.has(flagStop) || t.hasDigit() {
		return false
	}
	return e.has(flagSurname) && (t.capFirst() || !e.has(flagSurnameAmbig)) || t.capFirst() && e == nil
}

// extendName extends a name that ends before token i over middle initials,
// further given names and surnames, and hyphenated parts.
func (a *analyzer) extendName(i int, strong bool) int {
	end := i
	for words := 1; words < maxNameWords; words++ {
		k := end
		if a.punct(k, '-') && k+1 < len(a.toks) && !a.toks[k].spaced() && !a.toks[k+1].spaced() && a.toks[k+1].kind == tokWord {
			end = k + 2
			continue
		}
		k = a.adjacentWord(k)
		if k < 0 {
			break
		}
		t := &a.toks[k]
		e := t.lex()
		if e.has(flagStop) || t.hasDigit() || e != nil && (e.num != numNone || e.month != 0 || e.phrases != nil) {
			break
		}
		switch {
		case t.length() == 1 && t.capFirst(): // middle initial
			end = k + 1
			if a.punct(end, '.') {
				end++
			}
			continue
		case e.has(flagSurname) && (t.capFirst() || !e.has(flagSurnameAmbig) || words == 1):
		case e.has(flagFirstName) && !e.has(flagFirstAmbig) && a.nameAfter(k+1):
		case t.capFirst() && t.shape&shapeUpper == 0 && (e == nil || e.has(flagSurname) || e.has(flagFirstName)):
		case strong && words == 1 && e == nil && t.length() > 1:
		default:
			return end
		}
		end = k + 1
	}
	return end
}

// nameAt detects a name without a cue, from the name lists: a given name,
// and the surname or capitalized word after it.
func (a *analyzer) nameAt(i int) int {
	t := &a.toks[i]
	if t.kind != tokWord || !t.lex().has(flagFirstName) || t.shape&shapeUpper != 0 && t.length() > 1 {
		return i
	}
	if !a.firstNameLike(i) {
		return i
	}
	end := a.extendName(i+1, false)
	a.emit(Person, a.span(i, end), nil)
	return end
}

// sentenceStart reports whether token i begins a sentence, where a capital
// letter says nothing about names.
func (a *analyzer) sentenceStart(i int) bool {
	if i == 0 || !a.sameSeg(i-1, i) {
		return true
	}
	p := &a.toks[i-1]
	if p.kind != tokPunct {
		return false
	}
	c := a.d.text[p.start]
	return c == '.' || c == '?' || c == '!'
}

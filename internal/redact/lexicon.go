package redact

import (
	_ "embed"
	"maps"
	"slices"
	"strings"
)

// numKind classifies a word's role in a spoken number.
type numKind uint8

const (
	numNone      numKind = iota
	numUnit              // "one" … "nine", "zero": one digit
	numOh                // "oh", "o": zero, but only inside a digit run
	numTeen              // "ten" … "nineteen": two digits
	numTens              // "twenty" … "ninety": two digits, or combines with a unit
	numHundred           // "hundred": multiplies the preceding unit or teen
	numThousand          // "thousand"
	numRepeat            // "double", "triple": repeats the next digit
	numHomophone         // "for", "to", "too": a digit only between spoken digits
)

// wordFlag marks lexical properties of a word.
type wordFlag uint32

const (
	flagFiller       wordFlag = 1 << iota // "uh", "um": skipped inside digit runs
	flagBackchannel                       // "mhm", "okay": a turn made only of these does not break a digit run
	flagStreetSuffix                      // "street", "ave"
	flagStreetPrefix                      // "rue", "via", "calle"
	flagUnit                              // "apt", "suite"
	flagFirstName                         // a given name
	flagFirstAmbig                        // a given name that is also a common word
	flagSurname                           // a surname
	flagSurnameAmbig                      // a surname that is also a common word
	flagStop                              // a function word or common verb: never part of a name
	flagTLD                               // "com", "org", "uk"
	flagMoney                             // "dollars", "pounds", "cents": a preceding number is an amount
	flagMeasure                           // "minutes", "items": a preceding number counts things
	flagLinker                            // "is", "was": skipped between a cue and its value
	flagState                             // a US state name or abbreviation
	flagSpelledSep                        // "dot", "underscore", "dash" in spelled emails
)

// lexEntry is what the package knows about one lowercase word.
type lexEntry struct {
	num     numKind
	value   int8 // digit or number value for num kinds, ordinal value for ordinals
	ordinal int8 // 1..31 for "first" … "thirty first" parts
	month   int8 // 1..12 for month names
	flags   wordFlag
	phrases []cuePhrase // cue phrases ending in this word
	// inert is set when no detector starts at this word written in lower
	// case (see analyzer.run); also for entries[0], unknown words.
	inert bool
}

func (e *lexEntry) has(f wordFlag) bool { return e != nil && e.flags&f != 0 }

//go:embed data/first-names.txt
var firstNamesData string

//go:embed data/surnames.txt
var surnamesData string

// lexTable is an open-addressing hash table from lowercase words of at most
// maxLookup bytes to lexicon entries. A word is looked up by its packed form
// (its bytes in three little-endian words, zero-padded), which the tokenizer
// builds from the text with a few loads, so neither hashing nor comparing
// walks the word byte by byte; words of up to eight bytes, most of them,
// hash with one multiplication. The index holds only entry ids, so it stays
// small enough for the first-level cache.
type lexTable struct {
	entries []lexEntry // entries[0] is unused: id 0 means "not in the lexicon"
	keys    []lexKey   // keys[id] is the packed word of entries[id]
	index   []uint16   // entry ids by hash; 0 marks an empty slot
	shift   uint       // 64 - log2(len(index))
}

// lexKey is a packed word: byte n of the word is byte n%8 of element n/8, the
// rest is zero. Words hold no zero bytes, so the packed form determines the
// length.
type lexKey [maxLookup / 8]uint64

// slot returns the index slot where the search for k starts: Fibonacci
// hashing of the packed bytes.
func (t *lexTable) slot(k *lexKey) uint64 {
	x := k[0]
	if k[1] != 0 {
		x ^= k[1]*0xc2b2ae3d27d4eb4f ^ k[2]*0x165667b19e3779f9
	}
	return (x * 0x9e3779b97f4a7c15) >> t.shift
}

// packWord packs the word w (at most maxLookup bytes) as it is.
func packWord[S string | []byte](w S) lexKey {
	var k lexKey
	for i := 0; i < len(w); i++ {
		k[i>>3] |= uint64(w[i]) << (8 * (i & 7))
	}
	return k
}

// lexicon is the package's word table, built once at start-up.
var lexicon = newLexTable(buildLexicon())

func newLexTable(m map[string]*lexEntry) *lexTable {
	keys := slices.Sorted(maps.Keys(m))
	bits := uint(1)
	for 1<<bits < 4*len(keys) {
		bits++
	}
	t := &lexTable{entries: make([]lexEntry, 1, len(keys)+1), keys: make([]lexKey, 1, len(keys)+1),
		index: make([]uint16, 1<<bits), shift: 64 - bits}
	mask := uint64(len(t.index) - 1)
	for _, w := range keys {
		if len(w) > maxLookup || strings.IndexByte(w, 0) >= 0 {
			continue // never looked up
		}
		t.entries = append(t.entries, *m[w])
		t.keys = append(t.keys, packWord(w))
		id := uint16(len(t.entries) - 1)
		for i := t.slot(&t.keys[id]); ; i = (i + 1) & mask {
			if t.index[i] == 0 {
				t.index[i] = id
				break
			}
		}
	}
	at := t.word("at").id
	for id := range t.entries {
		e := &t.entries[id]
		switch e.num {
		case numUnit, numTeen, numTens, numRepeat, numOh:
		default:
			e.inert = e.phrases == nil && e.month == 0 && e.ordinal == 0 && !e.has(flagFirstName) && uint16(id) != at
		}
		for k := range t.entries[id].phrases {
			p := &t.entries[id].phrases[k]
			p.ids = make([]lexWord, len(p.before))
			for n, w := range p.before {
				p.ids[n] = t.word(w)
			}
		}
	}
	return t
}

// lexWord is a word matched by its lexicon id rather than by its text.
type lexWord struct {
	id   uint16 // 0 if the word is not in the lexicon
	size int32
	text string
}

// word returns the lexWord of the lowercase word w.
func (t *lexTable) word(w string) lexWord {
	lw := lexWord{size: int32(len(w)), text: w}
	if len(w) <= maxLookup {
		k := packWord(w)
		lw.id = t.lookup(&k)
	}
	return lw
}

// wordAt is "at", tested for at every word that may start a spelled email.
var wordAt = lexicon.word("at")

// lookup returns the id of the packed lowercase word k, or 0.
func (t *lexTable) lookup(k *lexKey) uint16 {
	mask := uint64(len(t.index) - 1)
	for i := t.slot(k); ; i = (i + 1) & mask {
		id := t.index[i]
		// Word by word: a wide load of k, just stored word by word, would
		// stall on store forwarding.
		if id == 0 || t.keys[id][0] == k[0] && t.keys[id][1] == k[1] && t.keys[id][2] == k[2] {
			return id
		}
	}
}

func buildLexicon() map[string]*lexEntry {
	m := make(map[string]*lexEntry, 4096)
	get := func(w string) *lexEntry {
		e := m[w]
		if e == nil {
			e = &lexEntry{}
			m[w] = e
		}
		return e
	}
	units := []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}
	for i, w := range units {
		e := get(w)
		e.num, e.value = numUnit, int8(i)
	}
	for _, w := range []string{"nought", "naught"} {
		e := get(w)
		e.num, e.value = numUnit, 0
	}
	for _, w := range []string{"oh", "o"} {
		e := get(w)
		e.num, e.value = numOh, 0
	}
	teens := []string{"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
	for i, w := range teens {
		e := get(w)
		e.num, e.value = numTeen, int8(10+i)
	}
	tens := []string{"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
	for i, w := range tens {
		e := get(w)
		e.num, e.value = numTens, int8(20+10*i)
	}
	get("fourty").num, get("fourty").value = numTens, 40
	get("hundred").num = numHundred
	get("thousand").num = numThousand
	get("double").num, get("double").value = numRepeat, 2
	get("triple").num, get("triple").value = numRepeat, 3
	for w, v := range map[string]int8{"for": 4, "fore": 4, "to": 2, "too": 2} {
		e := get(w)
		e.num, e.value = numHomophone, v
	}
	ordinals := []string{"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
		"eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth"}
	for i, w := range ordinals {
		get(w).ordinal = int8(i + 1)
	}
	get("twentieth").ordinal, get("thirtieth").ordinal = 20, 30
	months := [][]string{{"january", "jan"}, {"february", "feb"}, {"march", "mar"}, {"april", "apr"}, {"may"},
		{"june", "jun"}, {"july", "jul"}, {"august", "aug"}, {"september", "sep", "sept"}, {"october", "oct"},
		{"november", "nov"}, {"december", "dec"}}
	for i, ws := range months {
		for _, w := range ws {
			get(w).month = int8(i + 1)
		}
	}
	flagWords := []struct {
		f     wordFlag
		words string
	}{
		{flagFiller, "uh um er erm ah hmm umm uhh ehm mm eh sorry"},
		{flagBackchannel, "mhm mm-hmm uh-huh uh huh hmm mm okay ok yeah yes yep yup right sure alright got it go ahead on continue sorry i see and then great perfect thanks thank you please"},
		{flagStreetSuffix, "street st avenue ave av road rd lane ln drive dr boulevard blvd court ct way place pl terrace ter circle cir highway hwy parkway pkwy close crescent cres grove gardens gdns square sq mews trail trl alley loop row walk"},
		{flagStreetPrefix, "rue via calle avenida rua viale corso piazza carrer chemin quai plaza avenue boulevard"},
		{flagUnit, "apt apartment suite ste unit flat floor fl room bldg building"},
		{flagTLD, "com net org edu gov io co uk us ca de fr info biz me ie au nz es it nl"},
		{flagMoney, "dollars dollar bucks cents pounds quid pence euros euro usd gbp eur percent"},
		{flagMeasure, "minutes minute hours hour days day weeks week months month years year times items item people pieces miles mile kilometers km mins hrs seconds calls packages boxes orders tickets points units gb mb kg lbs lb"},
		{flagLinker, "is was it's its that's be would should will like : = - uh um er just actually probably um, the"},
		{flagSpelledSep, "dot underscore dash hyphen period"},
		{flagState, "al ak az ar ca co ct de fl ga hi id il in ia ks ky la me md ma mi mn ms mo mt ne nv nh nj nm ny nc nd oh ok or pa ri sc sd tn tx ut vt va wa wv wi wy dc alabama alaska arizona arkansas california colorado connecticut delaware florida georgia hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan minnesota mississippi missouri montana nebraska nevada ohio oklahoma oregon pennsylvania tennessee texas utah vermont virginia washington wisconsin wyoming"},
		{flagStop, stopWords},
	}
	for _, fw := range flagWords {
		for w := range strings.FieldsSeq(fw.words) {
			get(w).flags |= fw.f
		}
	}
	addNames := func(data string, name, ambig wordFlag) {
		for line := range strings.Lines(data) {
			w := strings.TrimSpace(line)
			f := name
			if rest, ok := strings.CutPrefix(w, "~"); ok {
				w, f = rest, name|ambig
			}
			if w != "" {
				get(w).flags |= f
			}
		}
	}
	addNames(firstNamesData, flagFirstName, flagFirstAmbig)
	addNames(surnamesData, flagSurname, flagSurnameAmbig)
	for _, w := range notNames {
		get(w).flags |= flagFirstAmbig
	}
	for _, p := range cuePhrases {
		words := strings.Fields(p.text)
		last := words[len(words)-1]
		e := get(last)
		e.phrases = append(e.phrases, cuePhrase{before: words[:len(words)-1], kind: p.kind})
	}
	return m
}

// notNames are given names and surnames that are far more often places,
// months or ordinary words in contact-center text.
var notNames = []string{"jordan", "austin", "dallas", "paris", "london", "georgia", "virginia", "carolina",
	"madison", "brooklyn", "christian", "kingston", "major", "precious", "unique", "miracle", "israel",
	"camden", "houston", "denver", "phoenix", "orlando", "chelsea", "kent", "york", "charlotte", "sydney",
	"santiago", "lincoln", "washington", "jackson", "florence", "alexandria", "cleveland", "augusta",
	"marion", "salem", "tyler", "logan", "mercedes", "porsche", "harley", "chevy", "tesla", "bentley",
	"lexus", "apple", "amazon", "paypal", "visa", "master", "card"}

// stopWords are never taken as part of a person's name.
const stopWords = `a an the and or but if so of in on at to for from by with about as into than then
this that these those there here is am are was were be been being have has had do does did done
will would shall should can could may might must not no yes yeah ok okay i me my mine you your yours
he him his she her hers it its we us our they them their what which who whom whose when where why how
all any both each few more most other some such only own same very just also again still even now
calling call called speaking here please thank thanks hi hello hey dear sir madam team customer agent
support service services sales billing account card number order help today tomorrow yesterday
good great fine sure right well going gonna want need like get got make let see know think
one two three four five six seven eight nine ten zero double triple oh um uh er
mr mrs ms miss dr doctor regards sincerely cheers best kind warm wishes morning afternoon evening
name named first last middle surname family full last spelled spell
i'd i'll i've i'm you're you'll you've we're we'll we've they're it's that's there's what's don't doesn't
didn't can't couldn't won't wouldn't isn't aren't wasn't let's here's`

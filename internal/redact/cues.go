package redact

// cueKind is what a cue phrase announces.
type cueKind uint8

// Window cues raise the prior for a value within the next cueWindow words,
// including the next turns of a dialogue ("can I have the card number" …
// "sure, four one one one …"). Trigger cues capture the words that follow.
const (
	cueNone cueKind = iota
	cueCard
	cueCVV
	cueExpiry
	cuePIN
	cueSSN
	cueDOB
	cuePhone
	cueRouting
	cueAccount
	cueSortCode
	cueNINO
	cuePassport
	cueDL
	cueAddress
	cueEmail
	numWindowCues

	trigNameStrong = numWindowCues + iota // "my name is": the next word is a name
	trigNameWeak                          // "this is", "thanks": the next word may be a name
	trigPassword                          // "my password is"
	trigSecurity                          // "mother's maiden name is"
)

// cueWindow is how many words a window cue stays active.
const cueWindow = 24

// cuePhrase is a cue: the words before its last word, and what it announces.
type cuePhrase struct {
	before []string
	ids    []lexWord // before, matched by lexicon id
	kind   cueKind
}

// cuePhrases are matched case-insensitively on word tokens; punctuation
// between the words is ignored.
var cuePhrases = []struct {
	text string
	kind cueKind
}{
	{"card", cueCard}, {"card number", cueCard}, {"long number", cueCard}, {"visa", cueCard},
	{"mastercard", cueCard}, {"amex", cueCard}, {"pan", cueCard}, {"card no", cueCard},

	{"cvv", cueCVV}, {"cvc", cueCVV}, {"cv2", cueCVV}, {"cvv2", cueCVV}, {"csc", cueCVV}, {"cvn", cueCVV},
	{"security code", cueCVV}, {"three digits", cueCVV}, {"3 digits", cueCVV}, {"four digits on the front", cueCVV},
	{"on the back", cueCVV}, {"verification code", cueCVV}, {"verification number", cueCVV},
	{"security number", cueCVV},

	{"expiry", cueExpiry}, {"expiration", cueExpiry}, {"expires", cueExpiry}, {"expire", cueExpiry},
	{"exp", cueExpiry}, {"valid thru", cueExpiry}, {"valid through", cueExpiry}, {"good thru", cueExpiry},
	{"good through", cueExpiry}, {"valid until", cueExpiry}, {"expiring", cueExpiry},

	{"pin", cuePIN}, {"pin number", cuePIN}, {"pin code", cuePIN},

	{"ssn", cueSSN}, {"social", cueSSN}, {"social security", cueSSN}, {"itin", cueSSN},
	{"taxpayer identification", cueSSN}, {"tax id", cueSSN}, {"tin", cueSSN},

	{"dob", cueDOB}, {"d.o.b", cueDOB}, {"birth", cueDOB}, {"born", cueDOB}, {"birthday", cueDOB},
	{"birthdate", cueDOB},

	{"phone", cuePhone}, {"cell", cuePhone}, {"mobile", cuePhone}, {"tel", cuePhone}, {"telephone", cuePhone},
	{"cb", cuePhone}, {"callback", cuePhone}, {"call back", cuePhone}, {"call me", cuePhone}, {"reach me", cuePhone},
	{"text me", cuePhone}, {"fax", cuePhone}, {"landline", cuePhone}, {"ph", cuePhone}, {"cellphone", cuePhone},
	{"contact number", cuePhone}, {"best number", cuePhone}, {"phone number", cuePhone},

	{"routing", cueRouting}, {"aba", cueRouting}, {"transit number", cueRouting}, {"routing number", cueRouting},

	{"account number", cueAccount}, {"acct", cueAccount}, {"account no", cueAccount}, {"bank account", cueAccount},
	{"checking account", cueAccount}, {"savings account", cueAccount}, {"a/c", cueAccount},

	{"sort code", cueSortCode}, {"sortcode", cueSortCode},

	{"national insurance", cueNINO}, {"ni number", cueNINO}, {"nino", cueNINO}, {"insurance number", cueNINO},

	{"passport", cuePassport},

	{"license", cueDL}, {"licence", cueDL}, {"dl", cueDL}, {"driving licence", cueDL},

	{"address", cueAddress}, {"live at", cueAddress}, {"lives at", cueAddress}, {"located at", cueAddress},
	{"ship to", cueAddress}, {"deliver to", cueAddress}, {"moved to", cueAddress},

	{"email", cueEmail}, {"e-mail", cueEmail}, {"e mail", cueEmail},

	{"name is", trigNameStrong}, {"name's", trigNameStrong}, {"names", trigNameStrong},
	{"mr", trigNameStrong}, {"mrs", trigNameStrong}, {"ms", trigNameStrong}, {"miss", trigNameStrong},
	{"dr", trigNameStrong}, {"dear", trigNameStrong}, {"mister", trigNameStrong},
	{"this is", trigNameWeak}, {"i'm", trigNameWeak}, {"i am", trigNameWeak}, {"speaking with", trigNameWeak},
	{"spoke with", trigNameWeak}, {"spoke to", trigNameWeak}, {"speak to", trigNameWeak},
	{"speak with", trigNameWeak}, {"talking to", trigNameWeak}, {"thanks", trigNameWeak},
	{"thank you", trigNameWeak}, {"hi", trigNameWeak}, {"hello", trigNameWeak}, {"hey", trigNameWeak},
	{"regards", trigNameWeak}, {"sincerely", trigNameWeak}, {"cheers", trigNameWeak}, {"best", trigNameWeak},
	{"it's", trigNameWeak}, {"customer", trigNameWeak}, {"cust", trigNameWeak}, {"cx", trigNameWeak},
	{"caller", trigNameWeak},

	{"password", trigPassword}, {"passcode", trigPassword}, {"passphrase", trigPassword},
	{"pass code", trigPassword}, {"pass word", trigPassword}, {"pw", trigPassword}, {"pwd", trigPassword},

	{"maiden name", trigSecurity}, {"first pet", trigSecurity}, {"pet's name", trigSecurity},
	{"first car", trigSecurity}, {"first school", trigSecurity}, {"favorite teacher", trigSecurity},
	{"favourite teacher", trigSecurity}, {"memorable word", trigSecurity}, {"memorable place", trigSecurity},
	{"security answer", trigSecurity}, {"secret word", trigSecurity}, {"secret answer", trigSecurity},
	{"street you grew up on", trigSecurity}, {"city you were born in", trigSecurity},
}

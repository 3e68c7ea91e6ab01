package corpus

import (
	"fmt"

	"github.com/confide-cc/confide/internal/redact"
)

// call generates a phone call; lowercase calls read like raw ASR output.
func (g *gen) call(lowercase bool) {
	g.lowercase = lowercase
	agentFirst, _ := g.name()
	first, last := g.name()
	g.turn("agent")
	g.say("Thank you for calling Acme Bank, this is")
	g.pii(redact.Person, "cue", agentFirst)
	g.say(". How can I help you today?")
	g.turn("customer")
	g.say(g.pick("Hi, my name is", "Hello, yes, my name is", "Hi there, uh, my name is", "Yeah hi, my name's"))
	g.pii(redact.Person, "cue", first+" "+last)
	g.say(g.pick("and I'd like to pay my bill.", "and I have a question about order 4471.", "and I need to update my details."))
	topics := []func(){g.topicCard, g.topicSSN, g.topicPhone, g.topicEmail, g.topicAddress, g.topicDOB, g.topicBank, g.topicSecret}
	g.r.Shuffle(len(topics), func(i, j int) { topics[i], topics[j] = topics[j], topics[i] })
	for _, t := range topics[:3+g.r.IntN(3)] {
		t()
	}
	g.turn("agent")
	g.say("Is there anything else I can help with today? It will take 3 to 5 business days, and your reference is 88213.")
	g.turn("customer")
	g.say("No that's all, thanks.")
	g.done()
}

func (g *gen) topicCard() {
	g.turn("agent")
	g.say(g.pick("Can I have the long number on the card please?", "What's the card number?", "Okay, and the card number please.", "Please read me the sixteen digits on the front of the card."))
	g.turn("customer")
	g.say(g.pick("Sure, it's", "Yeah it's", "Um", "Okay", "It's"))
	if g.chance(0.35) {
		g.splitCard()
	} else {
		g.cardValue()
	}
	if g.chance(0.25) {
		g.turn("agent")
		g.say("Let me read that back,")
		g.cardValue() // a read-back of a (different) number is labeled too
		g.say(", is that right?")
		g.turn("customer")
		g.say("Yes.")
	}
	g.turn("agent")
	g.say(g.pick("And the expiry date?", "And when does it expire?", "What's the expiration date on the card?"))
	g.turn("customer")
	g.say(g.pick("It's", "Uh", "", "Expires"))
	g.expiryValue()
	g.turn("agent")
	g.say(g.pick("And the three digits on the back?", "And the security code?", "And the CVV please?"))
	g.turn("customer")
	g.say(g.pick("It's", "Um", ""))
	g.cvvValue(3)
	g.say(g.pick(".", ", okay.", ""))
}

func (g *gen) topicSSN() {
	g.turn("agent")
	g.say(g.pick("Can you verify your social security number?", "I'll need your social to verify.", "What's your SSN please?"))
	g.turn("customer")
	g.say(g.pick("Sure, it's", "Yeah", "It's uh"))
	g.ssnValue()
}

func (g *gen) topicPhone() {
	g.turn("agent")
	g.say(g.pick("What's the best phone number to reach you?", "Can I get a callback number?", "And your phone number?"))
	g.turn("customer")
	g.say(g.pick("It's", "Sure,", "You can call me on"))
	g.phoneValue()
}

func (g *gen) topicEmail() {
	first, last := g.name()
	g.turn("agent")
	g.say(g.pick("And what's your email address?", "Can I get an email for the receipt?"))
	g.turn("customer")
	g.say(g.pick("It's", "Sure, it's", "Yeah the email is"))
	g.emailValue(first, last)
}

func (g *gen) topicAddress() {
	g.turn("agent")
	g.say(g.pick("Can you confirm the billing address?", "What's the address on the account?", "And where should we ship it?"))
	g.turn("customer")
	g.say(g.pick("It's", "I live at", "Sure,", "The address is"))
	g.addressValue(g.lowercase || g.chance(0.2))
}

func (g *gen) topicDOB() {
	g.turn("agent")
	g.say(g.pick("And your date of birth?", "Can you confirm your date of birth please?", "What's your birthday?"))
	g.turn("customer")
	g.say(g.pick("It's", "Sure,", "I was born on"))
	g.dobValue()
}

func (g *gen) topicBank() {
	g.turn("agent")
	g.say("For the direct debit I need the routing number and the account number.")
	g.turn("customer")
	g.say("The routing number is")
	g.pii(redact.RoutingNumber, "written", aba(g.r))
	g.say("and the account number is")
	g.pii(redact.BankAccount, "written", string(digits(g.r, 8+g.r.IntN(5))))
}

func (g *gen) topicSecret() {
	g.turn("agent")
	if g.chance(0.5) {
		g.say("For security, what's your mother's maiden name?")
		g.turn("customer")
		g.say("My mother's maiden name is")
		_, l := g.name()
		g.pii(redact.SecurityAnswer, "word", l)
		return
	}
	g.say("And the telephone banking passcode?")
	g.turn("customer")
	g.say("The passcode is")
	g.pii(redact.Password, "word", fmt.Sprintf("%s%d", g.pick("sunshine", "Bluebird", "tiger", "Marlow", "qwerty"), g.r.IntN(1000)))
}

// chat generates a web chat, typed and cased, sometimes with a card number
// sent over two messages.
func (g *gen) chat() {
	first, last := g.name()
	g.turn("customer")
	g.say("Hi, I'm")
	g.pii(redact.Person, "cue", first+" "+last)
	g.say("and I want to change my card on file.")
	g.turn("agent")
	g.say("Sure, please type the card number.")
	g.turn("customer")
	if g.chance(0.3) {
		d := card(g.r)
		g.pii(redact.CardNumber, "split_message", d[:8])
		g.turn("customer")
		g.pii(redact.CardNumber, "split_message", d[8:])
	} else {
		g.cardValue()
	}
	g.turn("agent")
	g.say("Thanks. Expiry and CVC?")
	g.turn("customer")
	g.expiryValue()
	g.say("and")
	g.cvvValue(3)
	g.turn("agent")
	g.say("Great. Can you confirm your email and phone?")
	g.turn("customer")
	g.emailValue(first, last)
	g.say("and")
	g.phoneValue()
	g.done()
}

// email generates a subject and a body with a signature and a quoted reply.
func (g *gen) email() {
	first, last := g.name()
	g.turn("")
	g.say(g.pick("Re: Order 55120 refund", "Update my address", "Question about invoice 2024-0193"))
	g.turn("")
	g.say("Hello,\n\nPlease update the address on my account to")
	g.addressValue(false)
	g.say(". You can reach me on")
	g.phoneValue()
	g.say("if needed. My NI number is")
	g.pii(redact.UKNINO, "written", nino(g.r))
	g.say("and my IBAN is")
	d := iban(g.r)
	g.pii(redact.IBAN, "grouped", group(d, " ", 4, 4, 4, 4, 4, 4, 4))
	g.say(".\n\nKind regards,\n")
	g.pii(redact.Person, "signature", first+" "+last)
	g.say("\n")
	g.emailValue(first, last)
	g.say("\n\n> On Tue, 4 Mar 2025 at 10:15, Acme Support wrote:\n> Your ticket 48213 has been updated. Reply within 14 days.")
	g.done()
}

// note generates a terse agent note.
func (g *gen) note() {
	first, last := g.name()
	g.turn("")
	g.say("cust")
	g.pii(redact.Person, "note", first+" "+last)
	g.say("called re order 77812, verified dob")
	m, d, y := 1+g.r.IntN(12), 1+g.r.IntN(28), g.r.IntN(100)
	g.pii(redact.DateOfBirth, "note", fmt.Sprintf("%d/%d/%02d", m, d, y))
	g.say(", cb")
	ph := usPhone(g.r)
	if g.chance(0.5) {
		g.pii(redact.Phone, "note", ph[3:6]+" "+ph[6:])
	} else {
		g.pii(redact.Phone, "note", group(ph, "-", 3, 3, 4))
	}
	g.say(", ssn")
	g.pii(redact.SSN, "note", group(ssn(g.r), "-", 3, 2, 4))
	g.say(". ip")
	g.pii(redact.IPAddress, "note", fmt.Sprintf("10.%d.%d.%d", g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254)))
	g.say(". passport")
	g.pii(redact.Passport, "note", string(digits(g.r, 9)))
	g.say("refund $42.50 issued, ticket #48213, 2 items, eta 3-5 days.")
	g.done()
}

// clean generates a document without personal data: order ids, amounts,
// times, extensions, tracking numbers, dates that are not birthdays.
func (g *gen) clean() {
	g.turn("")
	pieces := []string{
		fmt.Sprintf("Order %d shipped on %s %d.", 10000000+g.r.IntN(89999999), title(months[g.r.IntN(12)]), 1+g.r.IntN(28)),
		fmt.Sprintf("Total $%d.%02d including tax.", g.r.IntN(900), g.r.IntN(100)),
		fmt.Sprintf("Call back at %d:%02d pm, ext %d.", 1+g.r.IntN(11), g.r.IntN(60), 1000+g.r.IntN(9000)),
		fmt.Sprintf("Tracking 1Z%dAA%d.", 100+g.r.IntN(900), 10000000+g.r.IntN(89999999)),
		fmt.Sprintf("Ticket #%d escalated, priority %d.", g.r.IntN(99999), 1+g.r.IntN(4)),
		fmt.Sprintf("Invoice %d-%04d is due on %d/%d/2025.", 2020+g.r.IntN(6), g.r.IntN(10000), 1+g.r.IntN(12), 1+g.r.IntN(28)),
		fmt.Sprintf("The plan costs %d dollars a month for %d months.", 10+g.r.IntN(90), 1+g.r.IntN(24)),
		fmt.Sprintf("Model SM-G%dB, firmware %d.%d.%d, %d%% battery.", 900+g.r.IntN(99), g.r.IntN(10), g.r.IntN(10), g.r.IntN(30), g.r.IntN(100)),
		fmt.Sprintf("Store %d is open from 9 to 5, aisle %d.", g.r.IntN(900), 1+g.r.IntN(30)),
		fmt.Sprintf("Your case number is %d and the wait is about %d minutes.", 100000+g.r.IntN(899999), 2+g.r.IntN(40)),
		fmt.Sprintf("We processed %d requests in %d.", 1000+g.r.IntN(100000), 2015+g.r.IntN(10)),
		"Press 1 for sales, 2 for support, or 0 for an operator.",
	}
	g.r.Shuffle(len(pieces), func(i, j int) { pieces[i], pieces[j] = pieces[j], pieces[i] })
	for _, p := range pieces[:6] {
		g.say(p)
	}
	g.done()
}

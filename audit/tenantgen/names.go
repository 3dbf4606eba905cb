package tenantgen

// Every name here is invented. Combinations of invented first names and invented
// surnames make people; invented companies make records and topics.

var firstNames = [...]string{
	"Ariadne", "Bexley", "Corvin", "Dalmira", "Emrys", "Fenna", "Galwen", "Hollis",
	"Isolde", "Joryn", "Kestrel", "Lumira", "Marlo", "Nerys", "Orrin", "Pellam",
	"Quenby", "Rowen", "Sabrine", "Tamsel", "Ulvar", "Vesna", "Wrenna", "Yarrow",
}

var lastNames = [...]string{
	"Ashgrove", "Brightwater", "Coldbrook", "Dunmere", "Elderwick", "Fenwhistle",
	"Greymantle", "Hollowmere", "Ironvale", "Kettleby", "Larkholm", "Moorfield",
	"Nettlecombe", "Oakhollow", "Pennywhistle", "Quarrow", "Rookmere", "Saltmarsh",
	"Thistlewood", "Umberlane", "Valewright", "Wimbleford",
}

var companies = [...]string{
	"Bluefin Logistics", "Cobalt Orchard", "Driftwood Analytics", "Emberline Foods",
	"Foxglove Freight", "Glasswing Health", "Harrowgate Mills", "Inkwell Robotics",
	"Juniper Ridge Energy", "Kiteshore Marine", "Lanternfish Media", "Mossbank Textiles",
	"Northgale Pharma", "Otterpine Software", "Pebblecrest Insurance", "Quillstone Legal",
}

var topicPrefixes = [...]string{
	"Renewal", "Pricing review", "Escalation", "Onboarding", "Contract redlines",
	"Deal desk", "Quarterly review", "Support handover", "Pilot kickoff", "Security review",
}

var meetingSubjects = [...]string{
	"Weekly pipeline sync", "Account planning", "Quarterly business review",
	"Case triage", "Executive sponsor call", "Implementation check-in",
}

var teamNames = [...]string{
	"Key Accounts", "EMEA Sales", "Service Desk", "Partner Deals", "Public Sector Bids",
	"Renewals Squad",
}

var channelNames = [...]string{
	"General", "Deal room", "Escalations", "Legal review", "Solution design", "Handover",
}

// hostileUserNames are display names that break naive reports: markup, spreadsheet
// formulas, table pipes, terminal escapes and line breaks. People choose their own
// display names in many tenants, so a report must survive them. Link rows never carry
// them: markup and line breaks there are what the storage controls look for.
var hostileUserNames = [...]string{
	"Robin <script>alert(1)</script> Ashgrove",
	`=HYPERLINK("http://x")`,
	"Kit | pipes | Marlo",
	"\x1b[31mVesna Rookmere\x1b[0m",
	"Sabrine\nDunmere",
}

// hostileTopics are chat topics and team names a user may type that still hold no
// markup or line break, so no storage control mistakes them for conversation text.
var hostileTopics = [...]string{
	`=HYPERLINK("http://x")`,
	"| pipes | in | name |",
	"\x1b[31mURGENT\x1b[0m renewal",
	`+cmd|' /C calc'!A0`,
}

// Texts planted as conversation content (STORE-02, STORE-03): the HTML shape of a Teams
// message body. Fictional, and never anything a real conversation said.
const (
	messagePreview = "<div><p>Hi both,</p>\n<p>the revised quote is attached &amp; " +
		"valid until Friday.</p>\n<p>Thanks</p></div>"
	messageName = "<p>Can you approve the 12% discount?</p>\r\n<p>Customer needs it today</p>"
	messageBody = "<div>Agreed on the call:<br>\n- ship the pilot on the 3rd<br>\n" +
		"- legal reviews clause 7</div>"
)

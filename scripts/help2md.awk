# help2md.awk: one bpfcost --help text (stdin) -> Markdown for go-md2man,
# so the man pages are the help text itself and cannot drift from it.
# Variables: page (bpfcost-stats), summary (the command table's line),
# version, seealso (comma list of pages). The help layout it reads:
#   Usage: SYNOPSIS          (more synopsis lines indented 7)
#   paragraphs               (lines joined; indented lines after one ending
#                             in ':' are a verbatim block)
#   Heading:                 (1-3 words alone on a line: a man section)
#     -o, --opt ARG  text    (under Options/Commands: a definition list)
#     - item                 (a bullet list)
#   EXAMPLES:                (every line verbatim)
# Run by scripts/mkman.sh.

function esc(s) {
	gsub(/[\\`*_<>\[\]#|]/, "\\\\&", s)
	# A line that Markdown would read as a list item: escape its marker
	# ("6.9+ and later" must not become item 6; "\6" is no escape).
	if (s ~ /^[-+]/)
		s = "\\" s
	else if (s ~ /^[0-9]+\./)
		sub(/\./, "\\.", s)
	return s
}
function trim(s) { sub(/^ +/, "", s); sub(/ +$/, "", s); return s }
function flush() {
	if (mode == "para" || mode == "list" || mode == "def" || mode == "code")
		print ""
	mode = ""
	lastpara = ""
}
function section(name) {
	flush()
	print "# " name
	print ""
	sect = name
	described = 1
}
function body() { if (!described) section("DESCRIPTION") }
# "-w, --weight W" -> **-w**, **--weight** *W*; "demo" -> **demo**
function term(t,   n, i, w, out) {
	n = split(t, w, " ")
	out = ""
	for (i = 1; i <= n; i++) {
		if (w[i] ~ /^-/ || sect == "COMMANDS") {
			comma = sub(/,$/, "", w[i])
			out = out (i > 1 ? " " : "") "**" w[i] "**" (comma ? "," : "")
		} else {
			out = out " *" esc(w[i]) "*"
		}
	}
	return out
}
function synopsis(s,   cmd) {
	# Bold the command words ("bpfcost", "bpfcost stats").
	if (match(s, /^bpfcost( [a-z]+)?/) && substr(s, RLENGTH + 1, 1) ~ /^( |$)/) {
		cmd = substr(s, 1, RLENGTH)
		return "**" cmd "**" esc(substr(s, RLENGTH + 1))
	}
	return esc(s)
}

BEGIN {
	mode = ""; sect = ""; described = 0; nsyn = 0
	up = toupper(page)
	printf "%% %s 1 \"\" \"bpfcost %s\" \"bpfcost manual\"\n\n", up, version
	print "# NAME"
	print ""
	print page " - " esc(summary)
	print ""
}

NR == 1 && /^Usage: / { syn[++nsyn] = substr($0, 8); insyn = 1; next }
insyn && /^       [^ ]/ { syn[++nsyn] = trim($0); next }
insyn {
	insyn = 0
	print "# SYNOPSIS"
	print ""
	for (i = 1; i <= nsyn; i++)
		print synopsis(syn[i]) (i < nsyn ? "  " : "")
	print ""
}

/^$/ { flush(); next }

# A heading: "Options:", "EXAMPLES:", "Global options:" (1-3 words).
/^[A-Za-z][A-Za-z ]*:$/ && split($0, hw, " ") <= 3 {
	section(toupper(substr($0, 1, length($0) - 1)))
	next
}

sect == "EXAMPLES" {
	if (mode != "code") { flush(); mode = "code" }
	line = $0
	sub(/^  /, "", line)
	print "    " line
	next
}

# Definition lists: options (indented up to 6, continued deeper), and the
# command table.
(sect ~ /OPTIONS$/ && match($0, /^ +-/) && RLENGTH <= 7) ||
(sect == "COMMANDS" && /^  [a-z]/) {
	flush()
	line = trim($0)
	if (match(line, /  +/)) {
		t = substr(line, 1, RSTART - 1)
		d = substr(line, RSTART + RLENGTH)
	} else {
		t = line; d = ""
	}
	print term(t)
	print ": " esc(d)
	mode = "def"
	next
}
mode == "def" && /^    +[^ ]/ { print "  " esc(trim($0)); next }

# Bullet lists: "  - item", continued by deeper lines.
/^  - / {
	if (mode != "list") { flush(); body() }
	mode = "list"
	print "- " esc(substr($0, 5))
	next
}
mode == "list" && /^    +[^ ]/ { print "  " esc(trim($0)); next }

# Indented lines: more of the paragraph above, unless it ended with ':'
# (then a verbatim block: tables, the weights of sysmon, ...).
/^ +[^ ]/ {
	if (mode == "para" && lastpara !~ /:$/) { print esc(trim($0)); next }
	if (mode != "code") { flush(); body(); mode = "code" }
	line = $0
	sub(/^  /, "", line)
	print "    " line
	next
}

{
	if (mode != "para") { flush(); body(); mode = "para" }
	print esc($0)
	lastpara = $0
}

END {
	flush()
	if (seealso != "") {
		print "# SEE ALSO"
		print ""
		n = split(seealso, sa, ",")
		for (i = 1; i <= n; i++)
			printf "**%s**(1)%s\n", sa[i], i < n ? "," : ""
		print ""
	}
}

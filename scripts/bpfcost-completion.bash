# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# bash completion for bpfcost (installed by `make install` as
# $(PREFIX)/share/bash-completion/completions/bpfcost).
# Everything offered is read from the bpfcost being completed, at completion
# time: commands and global options from `bpfcost --help`, each command's
# options from `bpfcost CMD --help` (its Options block), the selector
# keywords (id, tag, name, pinned, ...) from the "Program selectors" line,
# offered after commands whose usage takes PROG. So completion cannot drift
# from the binary. Values: files for FILE/PATH arguments and `pinned`,
# program names and ids after `name` and `id` when `bpfcost -j prog` works
# (root), process ids and names after `pid` and `comm`. Needs only bash (no bash-completion
# helpers), so tests can drive it through COMP_WORDS and COMP_CWORD.

# The option terms of a help text's Options blocks, one per line: the part
# of "  -w, --weight W     text" before the description.
_bpfcost_terms() {
	awk '/^[A-Za-z][A-Za-z ]*:$/ { on = /[Oo]ptions:$/; next }
	     on && match($0, /^ +-/) && RLENGTH <= 7 {
		t = substr($0, RLENGTH)
		if (match(t, /  +/)) t = substr(t, 1, RSTART - 1)
		print t
	     }'
}

# Option words of a help text: "-w, --weight W" -> -w --weight.
_bpfcost_options() {
	_bpfcost_terms | tr -d , | tr ' ' '\n' | grep '^-'
}

# Options that take a value, with the value's name: "--tracer-log FILE".
_bpfcost_option_args() {
	_bpfcost_terms | tr -d , | awk '$NF !~ /^-/ { for (i = 1; i < NF; i++) print $i, $NF }'
}

_bpfcost() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local bin=${COMP_WORDS[0]} top cmd= ci help i arg args words npos=0
	COMPREPLY=()
	top=$("$bin" --help 2>/dev/null) || return 0

	# The command word: the first word that is not a global option.
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; ci=$i; break ;;
		esac
	done
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			words=$(_bpfcost_options <<<"$top")
		else
			words=$(awk '/^Commands:$/ { on = 1; next }
				     on && /^  [a-z]/ { print $1; next } on { exit }' <<<"$top")
		fi
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		return 0
	fi

	# After "--" comes the tracer's own command line.
	for ((i = i + 1; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} == -- ]]; then
			if ((i + 1 == COMP_CWORD)); then
				COMPREPLY=($(compgen -c -- "$cur" | sort -u))
			else
				COMPREPLY=($(compgen -f -- "$cur"))
			fi
			return 0
		fi
	done

	help=$("$bin" "$cmd" --help 2>/dev/null) || return 0
	args=$(_bpfcost_option_args <<<"$help")
	arg=$(awk -v o="$prev" '$1 == o { print $2; exit }' <<<"$args")
	if [[ -n $arg ]]; then
		case $arg in
		FILE|PATH) COMPREPLY=($(compgen -f -- "$cur")) ;;
		esac
		return 0
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_bpfcost_options <<<"$help") --" -- "$cur"))
		return 0
	fi
	# Program selectors, for commands whose usage takes PROG: keyword and
	# value pairs among the words that are not options or their values.
	[[ $(head -n 2 <<<"$help") == *PROG* ]] || return 0
	for ((i = ci + 1; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} == -* ]]; then
			awk -v o="${COMP_WORDS[i]}" '$1 == o { f = 1 } END { exit !f }' \
				<<<"$args" && ((i++))
		else
			((npos++))
		fi
	done
	if ((npos % 2)); then
		case $prev in
		pinned) COMPREPLY=($(compgen -f -- "$cur")) ;;
		name) COMPREPLY=($(compgen -W "$("$bin" -j prog 2>/dev/null |
			grep -o '"name": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/')" -- "$cur")) ;;
		id) COMPREPLY=($(compgen -W "$("$bin" -j prog 2>/dev/null |
			grep -o '"id": *[0-9]*' | grep -o '[0-9]*$')" -- "$cur")) ;;
		pid) COMPREPLY=($(compgen -W "$(ls /proc | grep -x '[0-9]*')" -- "$cur")) ;;
		comm) COMPREPLY=($(compgen -W "$(cat /proc/[0-9]*/comm 2>/dev/null | sort -u)" \
			-- "$cur")) ;;
		esac
		return 0
	fi
	words=$(sed -n 's/^Program selectors[^:]*: *//p' <<<"$top" |
		tr '|' '\n' | awk '{ print $1 }')
	COMPREPLY=($(compgen -W "$words" -- "$cur"))
	return 0
}
complete -F _bpfcost bpfcost

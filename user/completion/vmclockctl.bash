# SPDX-License-Identifier: GPL-2.0
# bash completion for vmclockctl(8)

_vmclockctl()
{
	local cur=${COMP_WORDS[COMP_CWORD]}
	local commands="status help"
	local i cmd=

	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-j --json -h --help -V --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return
	fi
	COMPREPLY=()
}
complete -F _vmclockctl vmclockctl

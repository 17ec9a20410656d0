# SPDX-License-Identifier: GPL-2.0
# bash completion for vmclockctl(8)

_vmclockctl()
{
	local cur=${COMP_WORDS[COMP_CWORD]}
	local prev=${COMP_WORDS[COMP_CWORD - 1]}
	local commands="status sources source discover monitor sync help"
	local i cmd= sub=

	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*)
			if [[ -z $cmd ]]; then
				cmd=${COMP_WORDS[i]}
			elif [[ -z $sub ]]; then
				sub=${COMP_WORDS[i]}
			fi
			;;
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
	if [[ $cmd == monitor ]]; then
		[[ $prev == --count || $prev == -c ]] && { COMPREPLY=(); return; }
		[[ $cur == -* ]] && COMPREPLY=($(compgen -W "--count --follow" -- "$cur"))
		return
	fi
	if [[ $cmd == sync ]]; then
		case $prev in
		-c|--config|-d|--device)
			COMPREPLY=($(compgen -f -- "$cur"))
			return ;;
		-p|--poll-ms|-s|--step-threshold-us|-l|--step-limit)
			COMPREPLY=()
			return ;;
		esac
		[[ $cur == -* ]] && COMPREPLY=($(compgen -W "--config --device --poll-ms --step-threshold-us --step-limit --once --force --print-config --help" -- "$cur"))
		return
	fi
	[[ $cmd == source ]] || { COMPREPLY=(); return; }

	case $prev in
	--profile)
		COMPREPLY=($(compgen -W "kvm hyperv ena vmclock generic" -- "$cur"))
		return ;;
	--poll|--host-error|--weight)
		COMPREPLY=()
		return ;;
	esac
	case $sub in
	"")
		COMPREPLY=($(compgen -W "add del set" -- "$cur")) ;;
	add)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--profile --poll --host-error --weight --disable" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(ls /dev/ptp[0-9]* 2>/dev/null)" -- "$cur"))
		fi ;;
	del|set)
		if [[ $sub == del && $prev != del ]]; then
			COMPREPLY=()	# one id only
		elif [[ $cur == -* && $sub == set ]]; then
			COMPREPLY=($(compgen -W "--poll --host-error --weight --enable --disable" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(ls /sys/kernel/vmclock/sources 2>/dev/null)" -- "$cur"))
		fi ;;
	esac
}
complete -F _vmclockctl vmclockctl
